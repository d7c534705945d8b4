/** Whether the studio can reach its server: the browser says it is offline, or requests to the
 * API fail without an answer. While it cannot, it asks the server's `/healthz` again every few
 * seconds (and at once when the browser comes back online, or the person presses Retry), and
 * TanStack Query is paused (see App.tsx) so nothing is lost to a string of failed requests. */

/** How long after the first failure, then between tries, the server is asked again. */
export const FIRST_RETRY_MS = 1_000;
export const RETRY_MS = 5_000;

/** Statuses a reverse proxy in front of the server answers when the server is down. */
const GATEWAY_DOWN = new Set([502, 504]);

export type OfflineReason = "browser" | "server";

export interface ConnectionState {
  /** null: reachable. */
  offline: OfflineReason | null;
  /** A try to reach the server is under way. */
  checking: boolean;
}

export interface ConnectionEnv {
  /** navigator.onLine */
  browserOnline: () => boolean;
  /** Resolves true when the server answered its health check. */
  probe: () => Promise<boolean>;
  setTimeout: (fn: () => void, ms: number) => unknown;
  clearTimeout: (handle: unknown) => void;
}

type Listener = (state: ConnectionState) => void;

export class Connection {
  private browserOnline: boolean;
  private serverReachable = true;
  private checking = false;
  private timer: unknown = null;
  private snapshot: ConnectionState;
  private readonly listeners = new Set<Listener>();

  constructor(private readonly env: ConnectionEnv) {
    this.browserOnline = env.browserOnline();
    this.snapshot = this.compute();
    if (this.snapshot.offline) this.schedule(RETRY_MS);
  }

  /** The current state; the same object until it changes (for useSyncExternalStore). */
  get state(): ConnectionState {
    return this.snapshot;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The API answered a request with `status`. */
  answered(status: number): void {
    if (GATEWAY_DOWN.has(status)) this.unreachable();
    else this.reachable();
  }

  /** A request to the API failed without an answer (a network error). */
  unreachable(): void {
    if (!this.serverReachable) return;
    this.serverReachable = false;
    this.update();
    this.schedule(FIRST_RETRY_MS);
  }

  /** The browser's online and offline events. */
  browserChanged(online: boolean): void {
    this.browserOnline = online;
    this.update();
    if (online && this.snapshot.offline) void this.retry();
    else if (!online) this.schedule(RETRY_MS);
  }

  /** Ask the server now (the Retry button, and each scheduled try). */
  async retry(): Promise<void> {
    this.cancelTimer();
    if (this.checking) return;
    this.checking = true;
    this.update();
    let ok: boolean;
    try {
      ok = await this.env.probe();
    } catch {
      ok = false;
    }
    this.checking = false;
    // A server that answers means the browser is online, whatever navigator.onLine said.
    if (ok) {
      this.browserOnline = true;
      this.serverReachable = true;
    } else {
      this.serverReachable = false;
    }
    this.update();
    if (this.snapshot.offline) this.schedule(RETRY_MS);
  }

  private reachable(): void {
    if (this.serverReachable && this.browserOnline) return;
    this.serverReachable = true;
    this.browserOnline = true;
    this.update();
  }

  private schedule(ms: number): void {
    this.cancelTimer();
    this.timer = this.env.setTimeout(() => {
      this.timer = null;
      void this.retry();
    }, ms);
  }

  private cancelTimer(): void {
    if (this.timer !== null) this.env.clearTimeout(this.timer);
    this.timer = null;
  }

  private compute(): ConnectionState {
    const offline: OfflineReason | null = !this.browserOnline ? "browser" : !this.serverReachable ? "server" : null;
    return { offline, checking: this.checking };
  }

  private update(): void {
    const next = this.compute();
    if (next.offline === null) this.cancelTimer();
    if (next.offline === this.snapshot.offline && next.checking === this.snapshot.checking) return;
    this.snapshot = next;
    for (const listener of this.listeners) listener(next);
  }
}

/** Asks the server's liveness endpoint, never from a cache. */
export async function probeServer(): Promise<boolean> {
  const response = await fetch("/healthz", { cache: "no-store" });
  return response.ok;
}

function browserConnection(): Connection {
  const hasWindow = typeof window !== "undefined";
  const connection = new Connection({
    browserOnline: () => (typeof navigator === "undefined" ? true : navigator.onLine),
    probe: probeServer,
    setTimeout: (fn, ms) => setTimeout(fn, ms),
    clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  });
  if (hasWindow) {
    window.addEventListener("online", () => connection.browserChanged(true));
    window.addEventListener("offline", () => connection.browserChanged(false));
  }
  return connection;
}

/** The studio's one connection, fed by the API client and the browser's events. */
export const connection = browserConnection();
