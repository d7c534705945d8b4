import { describe, expect, it } from "vitest";
import { Connection, FIRST_RETRY_MS, RETRY_MS, type ConnectionState } from "./connection";

/** A connection on a hand-driven clock, whose health checks answer from `server.up`. */
function setup({ online = true, up = true } = {}) {
  const timers: { fn: () => void; ms: number }[] = [];
  const server = { up, probes: 0 };
  const browser = { online };
  const connection = new Connection({
    browserOnline: () => browser.online,
    probe: async () => {
      server.probes += 1;
      if (!server.up) throw new TypeError("Failed to fetch");
      return true;
    },
    setTimeout: (fn, ms) => {
      const timer = { fn, ms };
      timers.push(timer);
      return timer;
    },
    clearTimeout: (handle) => {
      const i = timers.indexOf(handle as (typeof timers)[number]);
      if (i >= 0) timers.splice(i, 1);
    },
  });
  const seen: ConnectionState[] = [];
  connection.subscribe((s) => seen.push(s));
  /** Run the pending retry, as its timer would. */
  const tick = async () => {
    const timer = timers.shift();
    if (!timer) throw new Error("no retry scheduled");
    timer.fn();
    await Promise.resolve();
    await Promise.resolve();
    return timer.ms;
  };
  return { connection, server, browser, timers, seen, tick };
}

describe("Connection", () => {
  it("is reachable while the browser is online and the API answers", () => {
    const { connection, timers } = setup();
    connection.answered(200);
    connection.answered(404); // an answer, even a refusal, means the server is there
    expect(connection.state).toEqual({ offline: null, checking: false });
    expect(timers).toEqual([]);
  });

  it("says the server is unreachable after a network error, and retries until it answers", async () => {
    const { connection, server, tick, seen } = setup({ up: false });
    connection.unreachable();
    expect(connection.state.offline).toBe("server");
    // The first try comes quickly (a blip), the next ones every few seconds.
    expect(await tick()).toBe(FIRST_RETRY_MS);
    expect(connection.state.offline).toBe("server");
    expect(await tick()).toBe(RETRY_MS);
    expect(server.probes).toBe(2);
    server.up = true;
    await tick();
    expect(connection.state).toEqual({ offline: null, checking: false });
    expect(seen.map((s) => s.offline)).toContain("server");
    expect(seen.at(-1)).toEqual({ offline: null, checking: false });
  });

  it("takes a gateway's 502 or 504 as the server being down, but not the API's own 503", () => {
    const { connection } = setup();
    connection.answered(503);
    expect(connection.state.offline).toBeNull();
    connection.answered(502);
    expect(connection.state.offline).toBe("server");
    connection.answered(200);
    expect(connection.state.offline).toBeNull();
  });

  it("follows the browser going offline and back online", () => {
    const { connection, browser, timers } = setup();
    browser.online = false;
    connection.browserChanged(false);
    expect(connection.state.offline).toBe("browser");
    expect(timers.map((t) => t.ms)).toEqual([RETRY_MS]);
    browser.online = true;
    connection.browserChanged(true);
    expect(connection.state.offline).toBeNull();
    expect(timers).toEqual([]);
  });

  it("asks the server at once when the browser is back but the server had not answered", async () => {
    const { connection, browser, server, tick } = setup({ up: false });
    browser.online = false;
    connection.browserChanged(false);
    await tick(); // a retry while offline fails: the server is not known to be there
    expect(connection.state.offline).toBe("browser");
    server.up = true;
    browser.online = true;
    connection.browserChanged(true);
    expect(connection.state).toEqual({ offline: "server", checking: true });
    await Promise.resolve();
    await Promise.resolve();
    expect(server.probes).toBe(2);
    expect(connection.state).toEqual({ offline: null, checking: false });
  });

  it("starts offline when the browser is, and a server that answers proves it online", async () => {
    const { connection, tick } = setup({ online: false });
    expect(connection.state.offline).toBe("browser");
    await tick();
    expect(connection.state.offline).toBeNull();
  });

  it("retries on demand, showing that it is checking, once at a time", async () => {
    const { connection, server } = setup({ up: false });
    connection.unreachable();
    const first = connection.retry();
    expect(connection.state.checking).toBe(true);
    const second = connection.retry();
    await Promise.all([first, second]);
    expect(server.probes).toBe(1);
    expect(connection.state).toEqual({ offline: "server", checking: false });
  });
});
