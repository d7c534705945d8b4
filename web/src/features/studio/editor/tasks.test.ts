import { describe, expect, it } from "vitest";
import { shot, task } from "./fixtures";
import { explainFailure, filterTasks, newestFirst, rootFailure, shotNumber } from "./tasks";

describe("explainFailure", () => {
  it("explains error codes in plain words", () => {
    expect(explainFailure({ status: "failed", error: { code: "timeout", message: "timed out after 600 s", retryable: true } })).toEqual({
      key: "studio.fail.timeout",
      retryable: true,
    });
    expect(explainFailure({ status: "failed", error: { code: "dependency_failed", message: "image task x failed", retryable: false } })?.key).toBe(
      "studio.fail.dependency",
    );
    expect(explainFailure({ status: "failed", error: { code: "provider_not_configured", message: "no key", retryable: false } })).toEqual({
      key: "studio.fail.notConfigured",
      retryable: false,
    });
    expect(explainFailure({ status: "failed", error: { code: "budget_exceeded", message: "this project's budget would be exceeded", retryable: false } })).toEqual({
      key: "studio.fail.budget",
      retryable: false,
    });
  });

  it("reads the message when the code says little", () => {
    expect(explainFailure({ status: "failed", error: { code: "provider_error", message: "CUDA out of memory", retryable: true } })?.key).toBe("studio.fail.memory");
    expect(explainFailure({ status: "failed", error: { code: "crashed", message: "ConnectionError: connection refused", retryable: true } })?.key).toBe(
      "studio.fail.network",
    );
    expect(explainFailure({ status: "failed", error: { code: "provider_error", message: "bad gateway", retryable: true } })?.key).toBe("studio.fail.provider");
    expect(explainFailure({ status: "failed", error: { code: "weird", message: "daily quota reached", retryable: false } })?.key).toBe("studio.fail.quota");
    expect(explainFailure({ status: "failed", error: { code: "weird", message: "???", retryable: false } })).toEqual({
      key: "studio.fail.unknown",
      retryable: false,
    });
  });

  it("says nothing for tasks that did not fail, and names cancellations", () => {
    expect(explainFailure({ status: "succeeded", error: null })).toBeNull();
    expect(explainFailure({ status: "running", error: null })).toBeNull();
    expect(explainFailure({ status: "cancelled", error: null })?.key).toBe("studio.fail.cancelled");
  });
});

describe("the task log", () => {
  const tasks = [
    task("t1", { status: "succeeded", timings: { created_at: "2026-01-01T00:00:01Z" } }),
    task("t2", { status: "failed", timings: { created_at: "2026-01-01T00:00:03Z" } }),
    task("t3", { status: "running", timings: { created_at: "2026-01-01T00:00:02Z" } }),
    task("t4", { status: "cancelled", timings: { created_at: "2026-01-01T00:00:02Z" } }),
  ];

  it("lists newest first and filters problems and work in progress", () => {
    expect(newestFirst(tasks).map((t) => t.id)).toEqual(["t2", "t4", "t3", "t1"]);
    expect(filterTasks(tasks, "problems").map((t) => t.id)).toEqual(["t2", "t4"]);
    expect(filterTasks(tasks, "active").map((t) => t.id)).toEqual(["t3"]);
    expect(filterTasks(tasks, "all")).toHaveLength(4);
  });

  it("follows dependency failures back to the step that failed first", () => {
    const voice = task("v1", { kind: "voice", status: "failed", error: { code: "unknown_voice", message: "no voice", retryable: false } });
    const motion = task("m1", { kind: "motion", status: "failed", error: { code: "dependency_failed", message: "voice task v1 failed", retryable: false } });
    const render = task("r1", { kind: "render", status: "failed", error: { code: "dependency_failed", message: "motion task m1 failed", retryable: false } });
    const byId = new Map([voice, motion, render].map((x) => [x.id, x]));
    expect(rootFailure(render, byId)?.id).toBe("v1");
    expect(rootFailure(motion, byId)?.id).toBe("v1");
    expect(rootFailure(voice, byId)).toBeNull();
    // A task the log does not have: nothing to point at.
    expect(rootFailure(task("x", { error: { code: "dependency_failed", message: "image task zz failed", retryable: false } }), byId)).toBeNull();
  });

  it("numbers shots from 1 and knows removed ones", () => {
    const shots = [shot("a"), shot("b")];
    expect(shotNumber(shots, "b")).toBe(2);
    expect(shotNumber(shots, "gone")).toBeNull();
    expect(shotNumber(shots, null)).toBeNull();
  });
});
