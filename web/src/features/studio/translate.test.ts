import { describe, expect, it } from "vitest";
import { translationBlocked } from "./translate";

describe("translationBlocked", () => {
  it("passes on the server's reason, naming the settings, when no LLM is configured", () => {
    const reason = "translation needs an LLM: set STORYREEL_LLM__BASE_URL (...), STORYREEL_LLM__API_KEY and STORYREEL_LLM__MODEL";
    expect(translationBlocked({ available: false, reason, languages: [] })).toBe(reason);
  });

  it("allows translation when an LLM is configured, and waits for the answer before refusing", () => {
    expect(translationBlocked({ available: true, reason: null, languages: [{ code: "en", name: "English" }] })).toBeNull();
    expect(translationBlocked(undefined)).toBeNull();
  });
});
