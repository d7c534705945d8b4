import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

class FakeSocket {
  static opened: FakeSocket[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((m: { data: string }) => void) | null = null;
  onclose: ((c: { code: number }) => void) | null = null;
  onerror: (() => void) | null = null;
  sent: unknown[] = [];
  constructor(readonly url: string) {
    FakeSocket.opened.push(this);
  }
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  closed = false;
  close() {
    this.closed = true;
  }
}

describe("LiveSocket", () => {
  beforeEach(() => {
    localStorage.clear();
    vi.resetModules();
    FakeSocket.opened = [];
    vi.stubGlobal("WebSocket", FakeSocket);
  });
  afterEach(() => vi.unstubAllGlobals());

  it("opens one socket for subscriptions made while it connects", async () => {
    const { session } = await import("../auth/session");
    const { LiveSocket } = await import("./socket");
    session.begin({ access_token: "a1", refresh_token: "r1", expires_in: 900 });
    const live = new LiveSocket("ws://test/api/v1/ws");
    const stop = live.subscribe("p1", () => undefined);
    stop(); // React's strict mode: subscribe, unsubscribe, subscribe again
    live.subscribe("p1", () => undefined);
    live.subscribe("p2", () => undefined);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(FakeSocket.opened).toHaveLength(1);
  });

  it("opens none when everything was unsubscribed before the token came", async () => {
    const { session } = await import("../auth/session");
    const { LiveSocket } = await import("./socket");
    session.begin({ access_token: "a1", refresh_token: "r1", expires_in: 900 });
    const live = new LiveSocket("ws://test/api/v1/ws");
    live.subscribe("p1", () => undefined)();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(FakeSocket.opened).toHaveLength(0);
  });

  it("closes the socket a while after the last page stopped following, not at once", async () => {
    const { session } = await import("../auth/session");
    const { LiveSocket, IDLE_CLOSE_MS } = await import("./socket");
    session.begin({ access_token: "a1", refresh_token: "r1", expires_in: 900 });
    const live = new LiveSocket("ws://test/api/v1/ws");
    const stop = live.subscribe("p1", () => undefined);
    await new Promise((resolve) => setTimeout(resolve, 0));
    const [ws] = FakeSocket.opened;
    ws.onmessage?.({ data: JSON.stringify({ type: "ready" }) });
    vi.useFakeTimers();
    try {
      stop();
      vi.advanceTimersByTime(IDLE_CLOSE_MS / 2);
      const again = live.subscribe("p2", () => undefined); // the next page, same socket
      vi.advanceTimersByTime(IDLE_CLOSE_MS);
      expect(ws.closed).toBe(false);
      again();
      vi.advanceTimersByTime(IDLE_CLOSE_MS);
      expect(ws.closed).toBe(true);
      expect(live.connected).toBe(false);
    } finally {
      vi.useRealTimers();
    }
    expect(FakeSocket.opened).toHaveLength(1);
  });

  it("authenticates in the first frame, never in the URL", async () => {
    const { session } = await import("../auth/session");
    const { LiveSocket } = await import("./socket");
    session.begin({ access_token: "a1", refresh_token: "r1", expires_in: 900 });
    const live = new LiveSocket("ws://test/api/v1/ws");
    live.subscribe("p1", () => undefined);
    await new Promise((resolve) => setTimeout(resolve, 0));
    const [ws] = FakeSocket.opened;
    expect(ws.url).toBe("ws://test/api/v1/ws");
    ws.onopen?.();
    expect(ws.sent).toEqual([{ type: "auth", token: "a1" }]);
  });

  it("stops following a project whose access was revoked and tells its views", async () => {
    const { session } = await import("../auth/session");
    const { LiveSocket } = await import("./socket");
    session.begin({ access_token: "a1", refresh_token: "r1", expires_in: 900 });
    const live = new LiveSocket("ws://test/api/v1/ws");
    const events: string[] = [];
    let resyncs = 0;
    live.subscribe("p1", (e) => events.push(e.task_id), () => (resyncs += 1));
    live.subscribe("p2", () => undefined);
    await new Promise((resolve) => setTimeout(resolve, 0));
    const [ws] = FakeSocket.opened;
    ws.onmessage?.({ data: JSON.stringify({ type: "ready" }) });
    ws.onmessage?.({
      data: JSON.stringify({ type: "unsubscribed", project_id: "p1", reason: "access_revoked" }),
    });
    expect(resyncs).toBe(1);
    ws.onmessage?.({
      data: JSON.stringify({ type: "task", project_id: "p1", task_id: "t1", seq: 1 }),
    });
    expect(events).toEqual([]);
    // A reconnect asks only for what is still followed.
    ws.sent = [];
    ws.onmessage?.({ data: JSON.stringify({ type: "ready" }) });
    expect(ws.sent).toEqual([{ type: "subscribe", project_id: "p2" }]);
  });
});
