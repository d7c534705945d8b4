import { describe, expect, it, vi } from "vitest";
import { canShare, share } from "./share";

describe("Web Share", () => {
  it("is offered only where the browser has navigator.share", () => {
    expect(canShare({ share: async () => undefined })).toBe(true);
    expect(canShare({})).toBe(false);
    expect(canShare(undefined)).toBe(false);
  });

  it("shares the data given, and takes a closed share sheet as no error", async () => {
    const nav = { share: vi.fn(async () => undefined) };
    expect(await share(nav, { title: "A", url: "https://example.test/p" })).toBe("shared");
    expect(nav.share).toHaveBeenCalledWith({ title: "A", url: "https://example.test/p" });
    const closed = { share: vi.fn(async () => Promise.reject(new DOMException("Share canceled", "AbortError"))) };
    expect(await share(closed, { url: "https://example.test/p" })).toBe("cancelled");
  });

  it("passes on a real failure", async () => {
    const refused = { share: async () => Promise.reject(new DOMException("Permission denied", "NotAllowedError")) };
    await expect(share(refused, { url: "https://example.test/p" })).rejects.toThrow("Permission denied");
  });
});
