import { describe, expect, it } from "vitest";
import { absoluteTime, formatDuration, formatMoney, formatNumber, relativeTime } from "./format";

describe("formatDuration", () => {
  it("writes m:ss and h:mm:ss", () => {
    expect(formatDuration(0)).toBe("0:00");
    expect(formatDuration(9)).toBe("0:09");
    expect(formatDuration(75.4)).toBe("1:15");
    expect(formatDuration(83.4)).toBe("1:23");
    expect(formatDuration(3725)).toBe("1:02:05");
  });
});

describe("formatNumber", () => {
  it("groups digits as the language does", () => {
    expect(formatNumber(12345, "en")).toBe("12,345");
    expect(formatNumber(0.12345, "en", 2)).toBe("0.12");
  });
});

describe("relativeTime", () => {
  const now = Date.parse("2026-01-10T12:00:00Z");
  it("says just now under a minute, or counts the seconds", () => {
    expect(relativeTime("2026-01-10T11:59:30Z", now, "en", "just now")).toBe("just now");
    expect(relativeTime("2026-01-10T11:59:30Z", now, "en")).toBe("30 seconds ago");
  });
  it("speaks the UI's language", () => {
    expect(relativeTime("2026-01-10T11:55:00Z", now, "en", "")).toBe("5 minutes ago");
    expect(relativeTime("2026-01-10T11:55:00Z", now, "zh", "")).toBe("5分钟前");
    expect(relativeTime("2026-01-09T12:00:00Z", now, "en", "")).toBe("yesterday");
    expect(relativeTime("2026-01-11T09:00:00Z", now, "en", "")).toBe("in 21 hours");
  });
  it("is empty for no date or an unreadable one", () => {
    expect(relativeTime(null, now, "en")).toBe("");
    expect(relativeTime("soon", now, "en")).toBe("");
    expect(absoluteTime(undefined, "en")).toBe("");
    expect(absoluteTime("soon", "en")).toBe("");
  });
});

describe("formatMoney", () => {
  it("writes an ISO currency as the language does", () => {
    expect(formatMoney(0.24, "USD", "en")).toBe("$0.24");
    expect(formatMoney(1234.5, "USD", "en")).toBe("$1,234.50");
    expect(formatMoney(0, "USD", "en")).toBe("$0.00");
    expect(formatMoney(1.5, "CNY", "zh")).toBe("¥1.50");
    expect(formatMoney(0.24, "USD", "zh")).toBe("US$0.24");
  });
  it("keeps a fraction of a cent", () => {
    expect(formatMoney(0.0004, "USD", "en")).toBe("$0.0004");
    expect(formatMoney(0.123456, "USD", "en")).toBe("$0.1235");
  });
  it("writes any other unit after the number", () => {
    expect(formatMoney(12, "credits", "en")).toBe("12.00 credits");
    expect(formatMoney(0.5, "pts", "zh")).toBe("0.50 pts");
    expect(formatMoney(0.5, " ", "en")).toBe("0.50");
  });
});
