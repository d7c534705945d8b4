import { describe, expect, it } from "vitest";
import { formatDuration, relativeTime } from "./format";

describe("formatDuration", () => {
  it("writes m:ss and h:mm:ss", () => {
    expect(formatDuration(0)).toBe("0:00");
    expect(formatDuration(83.4)).toBe("1:23");
    expect(formatDuration(3725)).toBe("1:02:05");
  });
});

describe("relativeTime", () => {
  const now = Date.parse("2026-01-10T12:00:00Z");
  it("says just now under a minute", () => {
    expect(relativeTime("2026-01-10T11:59:30Z", now, "en", "just now")).toBe("just now");
  });
  it("speaks the UI's language", () => {
    expect(relativeTime("2026-01-10T11:55:00Z", now, "en", "")).toBe("5 minutes ago");
    expect(relativeTime("2026-01-10T11:55:00Z", now, "zh", "")).toBe("5分钟前");
    expect(relativeTime("2026-01-09T12:00:00Z", now, "en", "")).toBe("yesterday");
    expect(relativeTime("2026-01-11T09:00:00Z", now, "en", "")).toBe("in 21 hours");
  });
});
