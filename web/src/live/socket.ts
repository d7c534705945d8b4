/** One WebSocket per tab for live task events (`/api/v1/ws`): subscriptions are counted per
 * project, resumed after a reconnect from the last sequence number seen, and listeners are
 * told when the socket is down so views can fall back to polling. The token goes in the first
 * frame, never in the URL (URLs end up in access logs). */
import { session } from "../auth/session";

export interface TaskEvent {
  type: "task";
  seq?: number;
  task_id: string;
  kind: string;
  project_id: string | null;
  shot_id: string | null;
  status: string;
  progress: number;
  message: string | null;
  attempts: number;
  error: string | null;
  result: unknown;
  updated_at: string | null;
}

type EventListener = (event: TaskEvent) => void;
type ResyncListener = () => void;
type StatusListener = (connected: boolean) => void;

interface Subscription {
  count: number;
  lastSeq: number | null;
  listeners: Set<EventListener>;
  resync: Set<ResyncListener>;
}

const MAX_BACKOFF_MS = 15_000;
const PING_MS = 25_000;
/** With nothing left to follow, the socket closes after this long: it counts against the
 * account's connection limit, and a page change within it reuses the open one. */
export const IDLE_CLOSE_MS = 30_000;

export class LiveSocket {
  private ws: WebSocket | null = null;
  /** Waiting for a token to open with: a second `ensure` meanwhile must not open another. */
  private opening = false;
  private ready = false;
  private subs = new Map<string, Subscription>();
  private statusListeners = new Set<StatusListener>();
  private backoff = 500;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private ping: ReturnType<typeof setInterval> | null = null;
  private idle: ReturnType<typeof setTimeout> | null = null;
  private url: string;

  constructor(url?: string) {
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    this.url = url ?? `${proto}//${location.host}/api/v1/ws`;
    session.subscribe((signedIn) => (signedIn ? this.ensure() : this.close()));
  }

  get connected(): boolean {
    return this.ready;
  }

  onStatus(listener: StatusListener): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** Follow a project's task events; returns the unsubscribe function. */
  subscribe(projectId: string, listener: EventListener, onResync?: ResyncListener): () => void {
    let sub = this.subs.get(projectId);
    if (!sub) {
      sub = { count: 0, lastSeq: null, listeners: new Set(), resync: new Set() };
      this.subs.set(projectId, sub);
    }
    sub.count += 1;
    if (this.idle) clearTimeout(this.idle);
    this.idle = null;
    sub.listeners.add(listener);
    if (onResync) sub.resync.add(onResync);
    if (sub.count === 1 && this.ready) this.sendSubscribe(projectId, sub);
    this.ensure();
    return () => {
      const s = this.subs.get(projectId);
      if (!s) return;
      s.listeners.delete(listener);
      if (onResync) s.resync.delete(onResync);
      s.count -= 1;
      if (s.count <= 0) {
        this.subs.delete(projectId);
        this.send({ type: "unsubscribe", project_id: projectId });
        if (this.subs.size === 0 && !this.idle) {
          this.idle = setTimeout(() => {
            this.idle = null;
            if (this.subs.size === 0) this.close();
          }, IDLE_CLOSE_MS);
        }
      }
    };
  }

  private ensure(): void {
    if (this.ws || this.opening || this.timer || !session.signedIn || this.subs.size === 0) return;
    void this.open();
  }

  private async open(): Promise<void> {
    this.opening = true;
    let token: string | null;
    try {
      token = await session.accessToken();
    } finally {
      this.opening = false;
    }
    // Signed out, or nothing left to follow, while the token was on its way.
    if (!token || this.ws || !session.signedIn || this.subs.size === 0) return;
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.onopen = () => ws.send(JSON.stringify({ type: "auth", token }));
    ws.onmessage = (message) => this.receive(String(message.data));
    ws.onclose = (close) => this.closed(ws, close.code);
    ws.onerror = () => ws.close();
  }

  private receive(data: string): void {
    let frame: Record<string, unknown>;
    try {
      frame = JSON.parse(data) as Record<string, unknown>;
    } catch {
      return;
    }
    switch (frame.type) {
      case "ready":
        this.ready = true;
        this.backoff = 500;
        this.subs.forEach((sub, projectId) => this.sendSubscribe(projectId, sub));
        if (this.ping) clearInterval(this.ping);
        this.ping = setInterval(() => this.send({ type: "ping" }), PING_MS);
        this.statusListeners.forEach((l) => l(true));
        break;
      case "task": {
        const event = frame as unknown as TaskEvent;
        const sub = event.project_id ? this.subs.get(event.project_id) : undefined;
        if (!sub) return;
        if (typeof event.seq === "number") {
          if (sub.lastSeq !== null && event.seq <= sub.lastSeq) return; // replay overlap
          sub.lastSeq = event.seq;
        }
        sub.listeners.forEach((l) => l(event));
        break;
      }
      case "subscribed": {
        const sub = this.subs.get(String(frame.project_id));
        if (sub && typeof frame.last_seq === "number" && sub.lastSeq === null) {
          sub.lastSeq = frame.last_seq;
        }
        break;
      }
      case "resync": {
        const sub = this.subs.get(String(frame.project_id));
        sub?.resync.forEach((l) => l());
        break;
      }
      case "unsubscribed": {
        // The server took the project away (the account was removed from it, or it was
        // deleted): stop following it — a reconnect must not ask again — and let the views
        // refetch, which tells them what happened.
        if (frame.reason !== "access_revoked") break;
        const projectId = String(frame.project_id);
        const sub = this.subs.get(projectId);
        if (!sub) break;
        this.subs.delete(projectId);
        sub.resync.forEach((l) => l());
        break;
      }
      default:
        break;
    }
  }

  private sendSubscribe(projectId: string, sub: Subscription): void {
    const frame: Record<string, unknown> = { type: "subscribe", project_id: projectId };
    if (sub.lastSeq !== null) frame.after_seq = sub.lastSeq;
    this.send(frame);
  }

  private send(frame: Record<string, unknown>): void {
    if (this.ws && this.ready) this.ws.send(JSON.stringify(frame));
  }

  private closed(ws: WebSocket, code: number): void {
    if (this.ws !== ws) return;
    this.ws = null;
    const was = this.ready;
    this.ready = false;
    if (this.ping) clearInterval(this.ping);
    this.ping = null;
    if (was) this.statusListeners.forEach((l) => l(false));
    if (code === 4401) session.expired();
    if (!session.signedIn || this.subs.size === 0) return;
    // Reconnect with backoff; a 4000 (lifetime reached) reconnects at once.
    const delay = code === 4000 ? 0 : this.backoff;
    this.backoff = Math.min(this.backoff * 2, MAX_BACKOFF_MS);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.ensure();
    }, delay);
  }

  private close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const ws = this.ws;
    this.ws = null;
    this.ready = false;
    if (this.ping) clearInterval(this.ping);
    this.ping = null;
    ws?.close();
    this.statusListeners.forEach((l) => l(false));
  }
}

let shared: LiveSocket | null = null;

export function liveSocket(): LiveSocket {
  shared ??= new LiveSocket();
  return shared;
}
