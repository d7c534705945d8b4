import { describe, expect, it } from "vitest";
import { project, shot } from "./fixtures";
import { offersBilingual, settingsChanges, settingsOf } from "./settings";

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

  it("switches bilingual subtitles, which makes only the video again", () => {
    const before = settingsOf(project());
    expect(before.bilingual_subtitles).toBe(false);
    expect(settingsChanges(before, { ...before, bilingual_subtitles: true })).toEqual({ patch: { bilingual_subtitles: true }, effects: ["video"] });
    const on = settingsOf(project({ bilingual_subtitles: true }));
    expect(settingsChanges(on, { ...on, bilingual_subtitles: false, style: "anime" })).toEqual({
      patch: { style: "anime", bilingual_subtitles: false },
      effects: ["pictures", "video"],
    });
  });

  it("offers bilingual subtitles only where shots keep the narration they were translated from", () => {
    expect(offersBilingual(project({ shots: [shot("s1"), shot("s2")] }))).toBe(false);
    expect(offersBilingual(project({ shots: [shot("s1"), shot("s2", { original_narration: "原文。" })] }))).toBe(true);
    // Once on, it can be turned off again even without them.
    expect(offersBilingual(project({ shots: [shot("s1")], bilingual_subtitles: true }))).toBe(true);
  });

  it("reads a project without budget or routes as following everything", () => {
    const before = settingsOf(project({ budget: null, routing: {} }));
    expect(before.budget).toBeNull();
    expect(Object.values(before.routing).every((r) => r.providers.length === 0 && r.strategy === undefined)).toBe(true);
  });
});
