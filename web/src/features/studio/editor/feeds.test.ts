import { describe, expect, it } from "vitest";
import * as generated from "../../../api/schema-constants.gen";
import { CHARACTER_FEEDS, PROJECT_FEEDS, SHOT_FEEDS, changedFields, shotEditSteps, stepsFed } from "./feeds";
import { project, shot, state } from "./fixtures";
import { settingsChanges, settingsOf } from "./settings";
import { editAsShot, patchShot, undoEdit } from "./shots";

describe("which edit makes which step again", () => {
  it("reads the server's table from the generated constants, not a copy of its own", () => {
    expect(SHOT_FEEDS).toBe(generated.SHOT_FEEDS);
    expect(PROJECT_FEEDS).toBe(generated.PROJECT_FEEDS);
    expect(CHARACTER_FEEDS).toBe(generated.CHARACTER_FEEDS);
    expect(SHOT_FEEDS.narration).toBe("voice");
    expect(SHOT_FEEDS.visual_prompt).toBe("image");
    expect(SHOT_FEEDS.duration_hint).toBeNull();
  });

  it("follows the table for every field it names, and nothing for fields it does not", () => {
    for (const [field, step] of Object.entries(SHOT_FEEDS)) {
      expect([...stepsFed(SHOT_FEEDS, [field])]).toEqual(step ? [step] : []);
    }
    expect(stepsFed(SHOT_FEEDS, ["position", "toString"]).size).toBe(0);
  });

  it("counts only real changes", () => {
    const before = shot("a", { characters: ["mei"] });
    expect(changedFields(before, { narration: before.narration, characters: ["mei"], mood: null })).toEqual([]);
    expect(changedFields(before, { characters: ["mei", "fox"], position: 2 })).toEqual(["characters", "position"]);
    expect([...shotEditSteps(before, { narration: before.narration })]).toEqual([]);
  });
});

describe("an edit shows the steps it makes again at once", () => {
  const made = () =>
    shot("a", {
      tasks: { image: state("succeeded", 100, "img"), voice: state("succeeded", 100, "vo"), motion: state("succeeded", 100, "mo") },
    });

  it("editing the narration marks the voice waiting, and leaves the picture alone", () => {
    const before = made();
    const edited = patchShot(project({ shots: [before] }), "a", editAsShot(before, { narration: "New words." })).shots[0];
    expect(edited.narration).toBe("New words.");
    expect(edited.tasks.voice).toMatchObject({ id: "vo", status: "queued", progress: 0 });
    expect(edited.tasks.image).toBe(before.tasks.image);
    expect(edited.tasks.motion).toBe(before.tasks.motion);
  });

  it("a new prompt marks the picture, a new move the motion, a planning hint nothing", () => {
    const before = made();
    expect(editAsShot(before, { visual_prompt: "A hill" }).tasks?.image.status).toBe("queued");
    expect(editAsShot(before, { camera_motion: "pan_left" }).tasks?.motion.status).toBe("queued");
    expect(editAsShot(before, { duration_hint: 9 })).toEqual({ duration_hint: 9 });
    // A step that never ran has no task to show; an unchanged value changes nothing.
    expect(editAsShot(shot("b"), { narration: "x" })).toEqual({ narration: "x" });
    expect(editAsShot(before, { narration: before.narration }).tasks).toBeUndefined();
  });

  it("a refused edit puts the fields and the tasks back", () => {
    const before = made();
    expect(undoEdit(before, { narration: "New words." })).toEqual({ narration: before.narration, tasks: before.tasks });
    expect(undoEdit(before, { duration_hint: 9 })).toEqual({ duration_hint: before.duration_hint });
  });

  it("project settings say what they make again by the same table", () => {
    const before = settingsOf(project());
    for (const [field, effect] of [
      ["style", "pictures"],
      ["aspect", "pictures"],
      ["voice", "voices"],
      ["music", "music"],
    ] as const) {
      expect(PROJECT_FEEDS[field]).not.toBeNull();
      const after = { ...before, [field]: field === "aspect" ? "1:1" : "changed" };
      expect(settingsChanges(before, after).effects).toEqual([effect]);
    }
    expect(PROJECT_FEEDS.quality).toBeNull();
    expect(settingsChanges(before, { ...before, quality: "preview" }).effects).toEqual([]);
  });
});
