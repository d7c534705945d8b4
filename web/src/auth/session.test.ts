import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

const tokens = (access: string, expiresIn = 900) => ({
  access_token: access,
  refresh_token: `refresh-${access}`,
  expires_in: expiresIn,
});

describe("session", () => {
  beforeEach(() => {
    localStorage.clear();
    vi.resetModules();
  });
  afterEach(() => vi.unstubAllGlobals());

  it("keeps the tokens across a reload and forgets them on sign-out", async () => {
    const { session } = await import("./session");
    session.begin(tokens("a1"));
    vi.resetModules();
    const reloaded = (await import("./session")).session;
    expect(reloaded.signedIn).toBe(true);
    expect(await reloaded.accessToken()).toBe("a1");
    reloaded.end();
    expect(localStorage.length).toBe(0);
    expect(await reloaded.accessToken()).toBeNull();
  });

  it("refreshes an expiring token once for many concurrent requests", async () => {
    const fetch = vi.fn(async () => new Response(JSON.stringify(tokens("a2")), { status: 200 }));
    vi.stubGlobal("fetch", fetch);
    const { session } = await import("./session");
    session.begin(tokens("a1", 10)); // inside the refresh margin
    const got = await Promise.all([session.accessToken(), session.accessToken(), session.accessToken()]);
    expect(got).toEqual(["a2", "a2", "a2"]);
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(await session.accessToken()).toBe("a2"); // fresh now: no second refresh
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it("signs out when the server refuses the refresh token", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => new Response("{}", { status: 401 })));
    const { session } = await import("./session");
    const changes: boolean[] = [];
    session.begin(tokens("a1", 5));
    session.subscribe((signedIn) => changes.push(signedIn));
    expect(await session.accessToken()).toBeNull();
    expect(session.signedIn).toBe(false);
    expect(changes).toEqual([false]);
  });
});
