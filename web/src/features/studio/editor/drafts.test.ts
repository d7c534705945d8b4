import { describe, expect, it } from "vitest";
import { draftReducer, initialDraft, needsSave, saveOnLeave, validateText, type Draft } from "./drafts";

describe("inline-edit drafts", () => {
  const run = (d: Draft, ...actions: Parameters<typeof draftReducer>[1][]) => actions.reduce(draftReducer, d);

  it("tracks dirty, saving and saved, and takes the server's value", () => {
    let d = initialDraft("old");
    d = draftReducer(d, { type: "edit", value: "new " });
    expect(d.status).toBe("dirty");
    expect(needsSave(d, 100)).toBe(true);
    d = draftReducer(d, { type: "save-start" });
    expect(d.status).toBe("saving");
    expect(needsSave(d, 100)).toBe(false);
    d = draftReducer(d, { type: "save-ok", value: "new" }); // the server trimmed it
    expect(d).toMatchObject({ value: "new", base: "new", status: "saved" });
    expect(draftReducer(d, { type: "edit", value: "newer" }).status).toBe("dirty");
  });

  it("editing back to the saved text is clean again", () => {
    const d = run(initialDraft("same"), { type: "edit", value: "diff" }, { type: "edit", value: "same" });
    expect(d.status).toBe("clean");
    expect(needsSave(d, 100)).toBe(false);
  });

  it("keeps what was typed while saving", () => {
    const d = run(initialDraft("a"), { type: "edit", value: "ab" }, { type: "save-start" }, { type: "edit", value: "abc" }, { type: "save-ok", value: "ab" });
    expect(d).toMatchObject({ value: "abc", base: "ab", status: "dirty" });
    expect(needsSave(d, 100)).toBe(true);
  });

  it("keeps the text after a failure, and Undo brings the saved one back", () => {
    const failed = run(initialDraft("a"), { type: "edit", value: "b" }, { type: "save-start" }, { type: "save-fail", error: "conflict" });
    expect(failed).toMatchObject({ value: "b", status: "error", error: "conflict" });
    expect(needsSave(failed, 100)).toBe(true); // Try again / Ctrl+Enter
    expect(saveOnLeave(failed, 100)).toBe(false); // but leaving the field does not resend it
    expect(saveOnLeave(draftReducer(failed, { type: "edit", value: "bc" }), 100)).toBe(true);
    expect(draftReducer(failed, { type: "revert" })).toMatchObject({ value: "a", status: "clean", error: null });
  });

  it("takes fresh server text unless the user is editing", () => {
    expect(draftReducer(initialDraft("a"), { type: "server", value: "z" })).toMatchObject({ value: "z", base: "z" });
    const editing = run(initialDraft("a"), { type: "edit", value: "mine" }, { type: "server", value: "z" });
    expect(editing).toMatchObject({ value: "mine", base: "z", status: "dirty" });
  });

  it("does not save empty or too long text", () => {
    expect(validateText("  ", 10)).toBe("empty");
    expect(validateText("x".repeat(11), 10)).toBe("tooLong");
    expect(validateText("猫".repeat(10), 10)).toBeNull();
    expect(needsSave(run(initialDraft("a"), { type: "edit", value: "   " }), 10)).toBe(false);
  });
});
