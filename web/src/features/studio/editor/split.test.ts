import { describe, expect, it } from "vitest";
import { codePoints, defaultSplit, pauseSuggestions, snapToWord, splitPreview, splitSuggestions } from "./split";

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
