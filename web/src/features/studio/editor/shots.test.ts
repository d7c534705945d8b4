import { describe, expect, it } from "vitest";
import { project, shot } from "./fixtures";
import { imageBody, newShotBody, patchAsShot, patchShot, undoPatch } from "./shots";

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
