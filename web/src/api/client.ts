/** The typed API client, generated from the server's OpenAPI (`make client`), with the
 * session's bearer token added to every request and errors turned into `ApiError`. */
import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "./schema";
import { session } from "../auth/session";
import { connection } from "../pwa/connection";
import { CATALOG_URL } from "../pwa/cache";

export type Schemas = components["schemas"];
export type ErrorBody = Schemas["ErrorBody"];

/** An error the server answered with (its standard error body), or a network failure. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: number;
  readonly requestId: string | null;
  readonly fieldErrors: { field: string; message: string }[];
  readonly details: Record<string, unknown> | null;

  constructor(status: number, body: Partial<ErrorBody> | null, fallback: string) {
    super(body?.message || fallback);
    this.name = "ApiError";
    this.status = status;
    this.code = body?.code ?? status;
    this.requestId = body?.request_id ?? null;
    this.fieldErrors = body?.errors ?? [];
    this.details = (body?.details as Record<string, unknown> | null | undefined) ?? null;
  }
}

const auth: Middleware = {
  async onRequest({ request }) {
    const token = await session.accessToken();
    if (token) request.headers.set("Authorization", `Bearer ${token}`);
    return request;
  },
  async onResponse({ response }) {
    // The server no longer accepts our session (expired, revoked, account disabled).
    if (response.status === 401) session.expired();
    return response;
  },
};

/** Tells the connection whether the server answered. The catalogs may be answered by the
 * service worker's cache, so they say nothing about the server either way. */
const reachability: Middleware = {
  onResponse({ request, response }) {
    if (!CATALOG_URL.test(request.url)) connection.answered(response.status);
    return undefined;
  },
  onError({ request, error }) {
    const aborted = error instanceof DOMException && error.name === "AbortError";
    if (!aborted && !CATALOG_URL.test(request.url)) connection.unreachable();
    return undefined;
  },
};

export const api = createClient<paths>({ baseUrl: "" });
api.use(reachability, auth);

type Result<T> = { data?: T; error?: unknown; response: Response };

/** Await an openapi-fetch call and return its data, or throw an `ApiError` with the
 * server's message. */
export async function unwrap<T>(call: Promise<Result<T>>): Promise<T> {
  let result: Result<T>;
  try {
    result = await call;
  } catch (e) {
    if (e instanceof ApiError) throw e;
    throw new ApiError(0, null, "cannot reach the server: check your connection and try again");
  }
  const { data, error, response } = result;
  if (!response.ok) {
    const body = error && typeof error === "object" ? (error as Partial<ErrorBody>) : null;
    throw new ApiError(response.status, body, `${response.status} ${response.statusText}`);
  }
  return data as T;
}

/** The message to show for any thrown value. */
export function errorMessage(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}
