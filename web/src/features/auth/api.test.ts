import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

const tokens = { access_token: "a1", refresh_token: "r1", expires_in: 900 };
const fields = { email: "ada@example.com", password: "long enough" };

type Answer = { status: number; body: unknown };

/** The API client with its transport replaced: each POST gets the next answer, in order. */
async function withAnswers(answers: Answer[]) {
  const paths: string[] = [];
  vi.doMock("../../api/client", async (importActual) => {
    const actual = await importActual<typeof import("../../api/client")>();
    const POST = async (path: string) => {
      paths.push(path);
      const { status, body } = answers.shift()!;
      const response = new Response(JSON.stringify(body), { status });
      return response.ok ? { data: body, response } : { error: body, response };
    };
    return { ...actual, api: { POST } };
  });
  const { signIn } = await import("./api");
  const { session } = await import("../../auth/session");
  return { signIn, session, paths };
}

const refusal = (status: number, message: string): Answer => ({
  status,
  body: { code: status, message, request_id: "r", errors: [] },
});

describe("signIn", () => {
  beforeEach(() => {
    localStorage.clear();
    vi.resetModules();
  });
  afterEach(() => vi.doUnmock("../../api/client"));

  it("does not register twice when signing in failed after the account was made", async () => {
    const { signIn, session, paths } = await withAnswers([
      { status: 201, body: { id: "u1" } },
      refusal(503, "try again"),
      { status: 200, body: tokens },
    ]);
    const registered = new Set<string>();
    await expect(signIn(fields, true, registered)).rejects.toThrow("try again");
    await signIn(fields, true, registered);
    expect(paths).toEqual(["/api/v1/auth/register", "/api/v1/auth/login", "/api/v1/auth/login"]);
    expect(session.signedIn).toBe(true);
  });

  it("registers again after the server refused the sign-up", async () => {
    const { signIn, paths } = await withAnswers([
      refusal(409, "that email is taken"),
      { status: 201, body: { id: "u1" } },
      { status: 200, body: tokens },
    ]);
    const registered = new Set<string>();
    await expect(signIn(fields, true, registered)).rejects.toThrow("that email is taken");
    await signIn({ ...fields, email: "ada2@example.com" }, true, registered);
    expect(paths).toEqual(["/api/v1/auth/register", "/api/v1/auth/register", "/api/v1/auth/login"]);
  });
});
