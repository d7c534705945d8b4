import { describe, expect, it } from "vitest";
import { ApiError } from "../../api/client";
import { translate } from "../../i18n";
import type { Lang, MessageKey } from "../../i18n/catalog";
import { condensedMessage, condenseReason, narrationSeconds, parseCondensed, speechSeconds, storyLimitOf } from "./condense";

const words = (n: number) => Array.from({ length: n }, (_, i) => `word${i % 7 === 0 ? "" : "s"}`).join(" ") + ".";
const tr = (lang: Lang) => (key: MessageKey, vars?: Record<string, string | number>) => translate(lang, key, vars);

describe("when condensing is offered", () => {
  it("times speech as the server does: Chinese by the character, other scripts by the word", () => {
    expect(speechSeconds("灯塔猫跑下楼梯。")).toBeCloseTo(7 / 4.5);
    expect(speechSeconds("The cat ran down the stairs.")).toBeCloseTo(6 / 2.6);
    expect(speechSeconds("Pebble 跑了")).toBeCloseTo(2 / 4.5 + 1 / 2.6);
    expect(narrationSeconds({ chars: 0, sample: "text" })).toBe(0);
    // A sample's rate, scaled to the whole text.
    const sample = "甲乙丙丁戊己庚辛壬癸";
    expect(narrationSeconds({ chars: 100, sample })).toBeCloseTo(100 / 4.5);
  });

  it("offers it past the story limit, or when the text is much longer than the video", () => {
    const story = words(130); // about 50 s of narration
    const base = { chars: story.length, sample: story, maxChars: null, targetSeconds: null };
    expect(condenseReason(base)).toBeNull(); // the default film (60 shots) holds it
    expect(condenseReason({ ...base, targetSeconds: 60 })).toBeNull();
    expect(condenseReason({ ...base, targetSeconds: 40 })).toBeNull(); // a little longer: not offered
    expect(condenseReason({ ...base, targetSeconds: 30 })).toBe("length"); // half as long again
    expect(condenseReason({ ...base, maxChars: 100 })).toBe("limit");
    const long = words(1000); // about 6.4 minutes: more than 60 shots of 5 seconds
    expect(condenseReason({ chars: long.length, sample: long, maxChars: null, targetSeconds: null })).toBe("length");
    expect(condenseReason({ chars: long.length, sample: long, maxChars: null, targetSeconds: null, maxShots: 120 })).toBeNull();
  });

  it("learns a typed story's limit from the server's refusal", () => {
    const refused = new ApiError(413, { code: 413, message: "too long", request_id: "r", errors: [], details: { limit_chars: 1000 } }, "413");
    expect(storyLimitOf(refused)).toBe(1000);
    expect(storyLimitOf(new ApiError(413, { code: 413, message: "upload too big", request_id: "r", errors: [], details: { limit_bytes: 10 } }, "413"))).toBeNull();
    expect(storyLimitOf(new Error("boom"))).toBeNull();
  });
});

describe("what the server says it did", () => {
  it("reads the header's three forms", () => {
    expect(parseCondensed("condensed 31,204 -> 1,950 characters (offline, extractive)")).toEqual({
      kind: "condensed",
      before: 31204,
      after: 1950,
      method: "offline",
      note: "",
    });
    expect(parseCondensed("condensed 8,000 -> 900 characters (LLM, 3 calls); cut to the limit offline")).toEqual({
      kind: "condensed",
      before: 8000,
      after: 900,
      method: "llm",
      note: "cut to the limit offline",
    });
    expect(parseCondensed("not condensed: 1,204 characters already fit")).toEqual({ kind: "fit", chars: 1204 });
    expect(parseCondensed("something new")).toEqual({ kind: "other", text: "something new" });
    expect(parseCondensed(null)).toBeNull();
    expect(parseCondensed("")).toBeNull();
  });

  it("says it in English and Chinese", () => {
    const offline = parseCondensed("condensed 31,204 -> 1,950 characters (offline, extractive)")!;
    expect(condensedMessage(offline, tr("en"), "en")).toBe("The story was condensed from 31,204 to 1,950 characters, keeping its key sentences.");
    expect(condensedMessage(offline, tr("zh"), "zh")).toBe("故事已从 31,204 字压缩到 1,950 字，保留了关键句子。");
    const llm = parseCondensed("condensed 8,000 -> 900 characters (LLM, 3 calls); the LLM did not serve (timeout)")!;
    expect(condensedMessage(llm, tr("en"), "en")).toBe("The story was condensed from 8,000 to 900 characters by the AI writer. (the LLM did not serve (timeout))");
    expect(condensedMessage({ kind: "fit", chars: 1204 }, tr("zh"), "zh")).toBe("故事本来就合适（1,204 字），没有压缩。");
    expect(condensedMessage({ kind: "other", text: "x" }, tr("en"), "en")).toBe("Condensing: x");
  });
});
