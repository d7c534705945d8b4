import { describe, expect, it } from "vitest";
import { fallbackSummary, taskFallback } from "./fallbacks";
import { task } from "./fixtures";

const REFUSED = "openai images at http://127.0.0.1:9/v1: HTTP 401: Incorrect API key provided. — set STORYREEL_OPENAI_IMAGE__API_KEY";

function fell(id: string, reason: string, over: Parameters<typeof task>[1] = {}) {
  return task(id, { shot_id: `shot-${id}`, result: { failovers: [{ provider: "openai", reason }], served_by: "sketch" }, ...over });
}

describe("taskFallback", () => {
  it("reads who was passed over, who served and why", () => {
    expect(taskFallback(fell("a", REFUSED))).toEqual({ from: ["openai"], to: "sketch", reason: REFUSED });
  });

  it("is null for work that went where it was sent", () => {
    expect(taskFallback(task("a", { result: { cached: false } }))).toBeNull();
    expect(taskFallback(task("a", { result: null }))).toBeNull();
    expect(taskFallback(task("a", { result: { failovers: "junk" } }))).toBeNull();
  });
});

describe("fallbackSummary", () => {
  it("counts the current shots that fell back, per capability, with the commonest reason", () => {
    const tasks = [
      fell("a", REFUSED),
      fell("b", REFUSED),
      fell("c", "openai images: HTTP 503: overloaded"),
      task("d", { shot_id: "shot-d", result: {} }),
      fell("old", "stale", { shot_id: "shot-a" }), // replaced by a newer task: not current
      task("v", { kind: "voice", shot_id: "shot-a", result: {} }),
      task("sb", { kind: "storyboard", result: { failovers: [{ provider: "openai", reason: "the model refused" }], served_by: "rules" } }),
    ];
    const current = new Set(["a", "b", "c", "d", "v", "sb"]);
    expect(fallbackSummary(tasks, current)).toEqual([
      { kind: "storyboard", from: ["openai"], to: "rules", reason: "the model refused", count: 1, total: 1, perShot: false },
      { kind: "image", from: ["openai"], to: "sketch", reason: REFUSED, count: 3, total: 4, perShot: true },
    ]);
  });

  it("says nothing when nothing fell back", () => {
    expect(fallbackSummary([task("a", { result: {} })], new Set(["a"]))).toEqual([]);
  });
});
