import { describe, expect, it } from "vitest";
import {
  applyOrder,
  canCancel,
  canRetry,
  codePoints,
  computeProgress,
  continueAction,
  currentTaskIds,
  defaultSplit,
  draftReducer,
  explainFailure,
  fileSize,
  filterTasks,
  imageBody,
  initialDraft,
  keepAssetLinks,
  moveShot,
  moveShotBy,
  needsSave,
  newestFirst,
  newShotBody,
  patchAsShot,
  patchShot,
  pauseSuggestions,
  rootFailure,
  permissions,
  saveOnLeave,
  settingsChanges,
  settingsOf,
  shotIds,
  shotNumber,
  snapToWord,
  splitPreview,
  splitSuggestions,
  srtToVtt,
  stableUrl,
  undoPatch,
  validateText,
  type Asset,
  type Draft,
  type Project,
  type Shot,
  type Task,
  type TaskState,
} from "./editor";

const asset = (id: string, url = `/api/v1/assets/${id}/content?expires=1000&sig=a`): Asset => ({
  id,
  kind: "image",
  mime: "image/png",
  size: 10,
  created_at: "2026-01-01T00:00:00Z",
  url,
});

const state = (status: string, progress = 0, id = `t-${Math.random()}`): TaskState => ({ id, status, progress, finished_at: null });

function shot(id: string, over: Partial<Shot> = {}): Shot {
  return {
    id,
    position: 0,
    key: id,
    scene: 1,
    narration: `Narration of ${id}.`,
    visual_prompt: `Prompt of ${id}`,
    negative_prompt: "blurry",
    shot_type: "medium",
    camera_motion: "none",
    characters: [],
    setting: "a forest",
    mood: "calm",
    time_of_day: "dawn",
    duration_hint: 5,
    voice_seconds: null,
    motion: null,
    image: null,
    voice: null,
    clip: null,
    tasks: {},
    updated_at: "2026-01-01T00:00:00Z",
    ...over,
  };
}

function project(over: Partial<Project> = {}): Project {
  return {
    id: "p1",
    title: "A story",
    style: "watercolor",
    aspect: "16:9",
    language: "en",
    quality: "final",
    auto: true,
    status: "draft",
    owner_id: "u1",
    access: "write",
    created_at: "2026-01-01T00:00:00Z",
    updated_at: "2026-01-01T00:00:00Z",
    story: "Once.",
    detected_language: "en",
    voice: "auto",
    voice_rate: 1,
    music: "auto",
    target_seconds: null,
    max_shots: 60,
    seed: 0,
    storyboard_task_id: null,
    shots: [],
    characters: [],
    latest_render: null,
    tasks: {},
    task_counts: {},
    ...over,
  } as Project;
}

function task(id: string, over: Partial<Task> = {}): Task {
  return {
    id,
    kind: "image",
    status: "succeeded",
    progress: 100,
    message: "",
    attempts: 1,
    max_attempts: 3,
    priority: 0,
    resource: "gpu",
    project_id: "p1",
    shot_id: null,
    owner_id: "u1",
    params: {},
    result: null,
    error: null,
    timings: { created_at: "2026-01-01T00:00:00Z" },
    ...over,
  };
}

describe("computeProgress", () => {
  it("counts pictures and voices per shot and weights the overall percentage", () => {
    const shots = [
      shot("a", { image: asset("i1"), tasks: { image: state("succeeded", 100), voice: state("succeeded", 100) }, voice: asset("v1") }),
      shot("b", { tasks: { image: state("running", 50), voice: state("succeeded", 100) }, voice: asset("v2") }),
      shot("c", { tasks: { image: state("queued"), voice: state("running", 20) } }),
      shot("d", { tasks: { image: state("blocked"), voice: state("succeeded", 100) }, voice: asset("v3") }),
    ];
    const p = computeProgress(project({ shots, tasks: { storyboard: state("succeeded", 100), render: state("blocked") } }));
    const by = Object.fromEntries(p.stages.map((s) => [s.key, s]));
    expect(by.pictures).toMatchObject({ done: 1, total: 4, status: "running", percent: 38 }); // (1 + .5) / 4
    expect(by.voices).toMatchObject({ done: 3, total: 4, status: "running", percent: 80 }); // (3 + .2) / 4
    expect(by.storyboard).toMatchObject({ status: "done", percent: 100 });
    expect(by.render).toMatchObject({ status: "waiting", percent: 0 });
    expect(p.active).toBe(true);
    // storyboard 1×100 + pictures 4×38 + voices 2×80 + render 3×0, over 1+4+2+3
    expect(p.overall).toBe(Math.round((100 + 4 * 38 + 2 * 80) / 10));
  });

  it("is 100 % with nothing left to do, and never 100 % while something is still working", () => {
    const done = shot("a", { image: asset("i"), voice: asset("v"), motion: { type: "none" }, tasks: { image: state("succeeded", 100) } });
    const finished = computeProgress(
      project({ shots: [done], tasks: { storyboard: state("succeeded", 100), render: state("succeeded", 100) }, latest_render: {} as Project["latest_render"] }),
    );
    expect(finished.overall).toBe(100);
    expect(finished.active).toBe(false);
    const nearly = computeProgress(project({ shots: [done], tasks: { storyboard: state("succeeded", 100), render: state("running", 100) } }));
    expect(nearly.active).toBe(true);
    expect(nearly.overall).toBe(99);
  });

  it("reports failures per stage and overall", () => {
    const shots = [shot("a", { tasks: { image: state("failed") } }), shot("b", { image: asset("x"), tasks: { image: state("succeeded", 100) } })];
    const p = computeProgress(project({ shots, tasks: { storyboard: state("succeeded", 100) } }));
    const pictures = p.stages.find((s) => s.key === "pictures")!;
    expect(pictures).toMatchObject({ status: "failed", failed: 1, done: 1 });
    expect(p.failed).toBe(true);
    expect(p.active).toBe(false);
  });

  it("while the storyboard is written, counts the steps it will plan at 0 %", () => {
    const p = computeProgress(project({ auto: true, tasks: { storyboard: state("running", 50) } }));
    // storyboard 1×50 over storyboard 1 + pictures 4 + voices 2 + render 3
    expect(p.overall).toBe(5);
    const manual = computeProgress(project({ auto: false, tasks: { storyboard: state("running", 50) } }));
    expect(manual.overall).toBe(50);
  });

  it("treats a step with output and no task as done (a duplicated project)", () => {
    const p = computeProgress(project({ shots: [shot("a", { image: asset("i"), voice: asset("v") })] }));
    expect(p.stages.find((s) => s.key === "pictures")).toMatchObject({ done: 1, status: "done" });
    expect(p.stages.find((s) => s.key === "music")).toBeUndefined();
    expect(p.stages.find((s) => s.key === "motion")).toBeUndefined();
  });
});

describe("reordering", () => {
  const shots = [shot("a", { position: 0 }), shot("b", { position: 1 }), shot("c", { position: 2 })];

  it("moves a dragged shot where it was dropped and renumbers", () => {
    const moved = moveShot(shots, "c", "a")!;
    expect(shotIds(moved)).toEqual(["c", "a", "b"]);
    expect(moved.map((s) => s.position)).toEqual([0, 1, 2]);
    expect(shots.map((s) => s.id)).toEqual(["a", "b", "c"]); // not mutated
  });

  it("ignores drops on itself or on unknown shots", () => {
    expect(moveShot(shots, "a", "a")).toBeNull();
    expect(moveShot(shots, "a", "zzz")).toBeNull();
  });

  it("moves up and down by one, and not past the ends", () => {
    expect(shotIds(moveShotBy(shots, "b", -1)!)).toEqual(["b", "a", "c"]);
    expect(shotIds(moveShotBy(shots, "b", 1)!)).toEqual(["a", "c", "b"]);
    expect(moveShotBy(shots, "a", -1)).toBeNull();
    expect(moveShotBy(shots, "c", 1)).toBeNull();
  });

  it("applies a pending order over fresher data, keeping shots added meanwhile", () => {
    const fresh = [...shots, shot("d", { position: 3 })];
    const ordered = applyOrder(fresh, ["c", "b", "gone", "a"]);
    expect(shotIds(ordered)).toEqual(["c", "b", "a", "d"]);
    expect(ordered.map((s) => s.position)).toEqual([0, 1, 2, 3]);
  });
});

describe("optimistic shot edits", () => {
  it("patches one shot and undoes exactly the fields sent", () => {
    const p = project({ shots: [shot("a"), shot("b")] });
    const patch = { narration: "New words.", shot_type: "wide" as const };
    const edited = patchShot(p, "a", patchAsShot(patch));
    expect(edited.shots[0].narration).toBe("New words.");
    expect(edited.shots[0].shot_type).toBe("wide");
    expect(edited.shots[1]).toBe(p.shots[1]);
    // Someone else changed the prompt meanwhile: the rollback leaves it alone.
    const meanwhile = patchShot(edited, "a", { visual_prompt: "theirs" });
    const undone = patchShot(meanwhile, "a", undoPatch(p.shots[0], patch));
    expect(undone.shots[0].narration).toBe("Narration of a.");
    expect(undone.shots[0].shot_type).toBe("medium");
    expect(undone.shots[0].visual_prompt).toBe("theirs");
  });

  it("does not treat nulls or the position as shot fields", () => {
    expect(patchAsShot({ narration: "x", mood: null, position: 3 })).toEqual({ narration: "x" });
  });

  it("leaves the project as it is for an unknown shot", () => {
    const p = project({ shots: [shot("a")] });
    expect(patchShot(p, "zzz", { narration: "x" })).toBe(p);
  });
});

describe("splitting", () => {
  it("cuts at code points, not UTF-16 units", () => {
    const text = "😀猫跑了。狗来了。";
    expect(codePoints(text)).toHaveLength(9);
    const preview = splitPreview(text, 5);
    expect(preview).toEqual({ ok: true, head: "😀猫跑了。", tail: "狗来了。" });
  });

  it("refuses cuts at the ends or where a part would be only spaces", () => {
    expect(splitPreview("Hello there", 0)).toMatchObject({ ok: false, reason: "range" });
    expect(splitPreview("Hello there", 11)).toMatchObject({ ok: false, reason: "range" });
    expect(splitPreview(" Hello", 1)).toMatchObject({ ok: false, reason: "empty" });
    expect(splitPreview("Hello there", 6)).toEqual({ ok: true, head: "Hello", tail: "there" });
  });

  it("suggests sentence ends, in English and Chinese", () => {
    const en = "Mei walked in. The fox watched! She smiled.";
    expect(splitSuggestions(en).map((at) => splitPreview(en, at))).toEqual([
      { ok: true, head: "Mei walked in.", tail: "The fox watched! She smiled." },
      { ok: true, head: "Mei walked in. The fox watched!", tail: "She smiled." },
    ]);
    const zh = "她走进竹林。“狐狸！”她喊道。";
    const cuts = splitSuggestions(zh);
    expect(cuts.map((at) => splitPreview(zh, at).ok)).toEqual([true, true]);
    expect(splitPreview(zh, cuts[1]).head).toBe("她走进竹林。“狐狸！”");
    expect(splitSuggestions("One sentence only.")).toEqual([]);
  });

  it("falls back to pauses within a single sentence", () => {
    const text = "She offered it a dumpling, and the fox came closer.";
    expect(pauseSuggestions(text).map((at) => splitPreview(text, at).head)).toEqual(["She offered it a dumpling,"]);
    expect(splitPreview(text, defaultSplit(text)).tail).toBe("and the fox came closer.");
    expect(pauseSuggestions("狐狸看着她，慢慢走近。")).toEqual([6]);
  });

  it("starts at the sentence end nearest the middle, else a word start", () => {
    const text = "A. Bb cc dd ee ff. Gg hh.";
    const at = defaultSplit(text);
    expect(splitPreview(text, at).head).toBe("A. Bb cc dd ee ff.");
    const words = "one two three four";
    expect(splitPreview(words, defaultSplit(words))).toEqual({ ok: true, head: "one two", tail: "three four" });
    expect(splitPreview("猫狗鸟鱼", defaultSplit("猫狗鸟鱼"))).toEqual({ ok: true, head: "猫狗", tail: "鸟鱼" });
  });

  it("snaps to word starts in either direction, and not in texts without spaces", () => {
    const text = "one two three";
    expect(snapToWord(text, 5)).toBe(4); // inside "two" → its start
    expect(snapToWord(text, 5, 1)).toBe(8); // forward → "three"
    expect(snapToWord(text, 9, 1)).toBe(8); // no later start: back to the last one
    expect(snapToWord("猫狗鸟", 2)).toBe(2);
  });
});

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

describe("project settings", () => {
  it("sends only what changed and says what is made again", () => {
    const before = settingsOf(project({ music: null, voice_rate: 1 }));
    expect(before.music).toBe("none");
    expect(settingsChanges(before, before)).toEqual({ patch: {}, effects: [] });
    expect(settingsChanges(before, { ...before, quality: "preview" })).toEqual({ patch: { quality: "preview" }, effects: [] });
    expect(settingsChanges(before, { ...before, voice: "cmn", voice_rate: 1.25, aspect: "9:16", music: "calm" })).toEqual({
      patch: { voice: "cmn", voice_rate: 1.25, aspect: "9:16", music: "calm" },
      effects: ["pictures", "voices", "music"],
    });
  });

  it("sends the budget (null when cleared) and the routes as a whole, making nothing again", () => {
    const before = settingsOf(project({ budget: 2, routing: { image: { providers: ["openai", "sketch"], strategy: "cost" } } }));
    expect(before.budget).toBe(2);
    expect(before.routing.image).toEqual({ providers: ["openai", "sketch"], strategy: "cost" });
    expect(before.routing.voice).toEqual({ providers: [], strategy: undefined });
    expect(settingsChanges(before, { ...before, budget: 2.5 })).toEqual({ patch: { budget: 2.5 }, effects: [] });
    expect(settingsChanges(before, { ...before, budget: null })).toEqual({ patch: { budget: null }, effects: [] });
    const voice = { ...before.routing, voice: { providers: ["edge"], strategy: undefined } };
    expect(settingsChanges(before, { ...before, routing: voice }).patch).toEqual({
      routing: { image: { providers: ["openai", "sketch"], strategy: "cost" }, voice: { providers: ["edge"] } },
    });
    const cleared = { ...before.routing, image: { providers: [], strategy: undefined } };
    expect(settingsChanges(before, { ...before, routing: cleared }).patch).toEqual({ routing: {} });
    // The same providers in another order is a change; the same routes are not.
    const swapped = { ...before.routing, image: { providers: ["sketch", "openai"], strategy: "cost" as const } };
    expect(settingsChanges(before, { ...before, routing: swapped }).patch).toEqual({ routing: { image: { providers: ["sketch", "openai"], strategy: "cost" } } });
    expect(settingsChanges(before, { ...before, routing: { ...before.routing } })).toEqual({ patch: {}, effects: [] });
  });

  it("reads a project without budget or routes as following everything", () => {
    const before = settingsOf(project({ budget: null, routing: {} }));
    expect(before.budget).toBeNull();
    expect(Object.values(before.routing).every((r) => r.providers.length === 0 && r.strategy === undefined)).toBe(true);
  });
});

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

describe("files and numbers", () => {
  it("keeps the links a read already had, so unchanged shots stay equal", () => {
    const before = { shots: [shot("a", { image: asset("i1", "/i1?expires=1000&sig=old") }), shot("b", { image: asset("i2", "/i2?expires=1000&sig=old") })] };
    const after = {
      shots: [
        shot("b", { image: asset("i2", "/i2?expires=2000&sig=new") }),
        shot("a", { image: asset("i9", "/i9?expires=2000&sig=new") }), // a new picture
      ],
    };
    const kept = keepAssetLinks(before, after, 500) as typeof after;
    expect(kept.shots[0].image?.url).toBe("/i2?expires=1000&sig=old");
    expect(kept.shots[0]).toEqual(before.shots[1]);
    expect(kept.shots[1].image?.url).toBe("/i9?expires=2000&sig=new");
    // Close to expiry the new link wins.
    const late = keepAssetLinks(before, after, 950) as typeof after;
    expect(late.shots[0].image?.url).toBe("/i2?expires=2000&sig=new");
    expect(keepAssetLinks(undefined, after, 0)).toBe(after);
  });

  it("keeps a signed link per asset until it is about to expire", () => {
    const cache = new Map<string, string>();
    const first = stableUrl(cache, asset("a", "/x?expires=1000&sig=1"), 500);
    expect(stableUrl(cache, asset("a", "/x?expires=1100&sig=2"), 600)).toBe(first);
    expect(stableUrl(cache, asset("a", "/x?expires=1200&sig=3"), 950)).toBe("/x?expires=1200&sig=3");
    expect(stableUrl(cache, asset("b", "/y?sig=9"), 950)).toBe("/y?sig=9");
  });

  it("formats sizes", () => {
    expect(fileSize(3_256_238)).toBe("3.1 MB");
    expect(fileSize(2048)).toBe("2 KB");
  });

  it("turns SRT into WebVTT", () => {
    const vtt = srtToVtt("\uFEFF1\r\n00:00:00,000 --> 00:00:02,500\r\nHello\r\n");
    expect(vtt).toBe("WEBVTT\n\n1\n00:00:00.000 --> 00:00:02.500\nHello\n");
  });

  it("sends only the picture options given", () => {
    expect(imageBody({})).toEqual({});
    expect(imageBody({ seed: 42.4, steps: null, model: "  ", guidance: 7.5 })).toEqual({ seed: 42, guidance: 7.5 });
    expect(imageBody({ seed: 0, steps: 30, model: " sdxl " })).toEqual({ seed: 0, steps: 30, model: "sdxl" });
  });

  it("gives a new shot the place and mood of the shot it follows", () => {
    const shots = [shot("a", { setting: "forest", scene: 1 }), shot("b", { setting: "hill", scene: 2, mood: "bright" })];
    const body = newShotBody({ narration: " Hi. ", visual_prompt: " A hill ", shot_type: "wide", camera_motion: "zoom_in", position: 2 }, shots);
    expect(body).toMatchObject({ narration: "Hi.", visual_prompt: "A hill", position: 2, setting: "hill", scene: 2, mood: "bright", camera_motion: "zoom_in" });
    expect(newShotBody({ narration: "x", visual_prompt: "y", shot_type: "wide", camera_motion: "none", position: 0 }, shots)).toMatchObject({
      setting: "forest",
      position: 0,
    });
    expect(newShotBody({ narration: "x", visual_prompt: "y", shot_type: "wide", camera_motion: "none", position: 9 }, [])).toMatchObject({
      setting: "",
      position: 0,
      scene: 0,
    });
  });
});
