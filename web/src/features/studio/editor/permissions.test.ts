import { describe, expect, it } from "vitest";
import { project, shot, state } from "./fixtures";
import { canCancel, canRetry, continueAction, currentTaskIds, permissions } from "./permissions";

describe("what may be done", () => {
  it("allows editing only to writers, and not while a storyboard is being written", () => {
    const shots = [shot("a")];
    expect(permissions(project({ shots }))).toMatchObject({ canEdit: true, canRender: true, reason: null });
    expect(permissions(project({ shots, access: "read" }))).toMatchObject({ canEdit: false, canRender: false, canRegenerateStoryboard: false, reason: "readOnly" });
    expect(permissions(project({ shots, tasks: { storyboard: state("running", 10) } }))).toMatchObject({
      canEdit: false,
      canRegenerateStoryboard: false,
      storyboardActive: true,
      reason: "writing",
    });
    expect(permissions(project({ shots: [] }))).toMatchObject({ canEdit: true, canRender: false });
  });

  it("retries only current failed tasks and cancels only running ones", () => {
    const p = project({ shots: [shot("a", { tasks: { image: state("failed", 0, "img-new") } })], tasks: { render: state("queued", 0, "r1") } });
    const current = currentTaskIds(p);
    expect([...current].sort()).toEqual(["img-new", "r1"]);
    expect(canRetry({ id: "img-new", status: "failed" }, current, true)).toBe(true);
    expect(canRetry({ id: "img-old", status: "failed" }, current, true)).toBe(false);
    expect(canRetry({ id: "img-new", status: "failed" }, current, false)).toBe(false);
    expect(canRetry({ id: "r1", status: "queued" }, current, true)).toBe(false);
    expect(canCancel({ status: "blocked" }, true)).toBe(true);
    expect(canCancel({ status: "succeeded" }, true)).toBe(false);
    expect(canCancel({ status: "running" }, false)).toBe(false);
  });

  it("offers to go on from a failure or a draft, not while writing or when done", () => {
    const shots = [shot("a")];
    expect(continueAction(project({ shots, status: "failed" }))).toBe("retryFailed");
    expect(continueAction(project({ shots, status: "draft" }))).toBe("makeVideo");
    expect(continueAction(project({ shots, status: "done" }))).toBeNull();
    expect(continueAction(project({ shots: [], status: "draft" }))).toBeNull();
    expect(continueAction(project({ shots, status: "draft", access: "read" }))).toBeNull();
  });
});
