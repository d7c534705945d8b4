import { describe, expect, it } from "vitest";
import { charCount, guessLanguage, headingOf, titleFrom, titleFromFileName } from "./story";

describe("titleFrom", () => {
  it("takes a Markdown heading as written", () => {
    expect(titleFrom("# The Lighthouse Cat\n\nOn a rocky island…")).toBe("The Lighthouse Cat");
  });
  it("cuts a long Chinese first line at its first sentence", () => {
    expect(titleFrom("小猫在雨里找到了一把红伞。它把伞撑开，为一只迷路的小鸭挡雨。雨停了，彩虹出现在天边。")).toBe("小猫在雨里找到了一把红伞");
  });
  it("cuts a long English first line at its first sentence", () => {
    expect(titleFrom("Once upon a time, a cat lived by the sea. Every evening it watched the lamp.")).toBe(
      "Once upon a time, a cat lived by the sea",
    );
  });
  it("keeps a short line and shortens a very long one", () => {
    expect(titleFrom("\n  Chapter one  \nText")).toBe("Chapter one");
    const long = "a".repeat(100);
    expect(charCount(titleFrom(long))).toBe(60);
    expect(titleFrom(long).endsWith("…")).toBe(true);
  });
  it("is empty for an empty story", () => {
    expect(titleFrom("  \n ")).toBe("");
  });
});

describe("helpers", () => {
  it("counts characters as a reader does", () => {
    expect(charCount("灯塔猫🐱")).toBe(4);
  });
  it("guesses the language", () => {
    expect(guessLanguage("海边的小岛上住着一位老人。")).toBe("zh");
    expect(guessLanguage("An old keeper and his cat.")).toBe("en");
  });
  it("names a story after its heading or its file", () => {
    expect(headingOf("## 灯塔猫\n正文")).toBe("灯塔猫");
    expect(headingOf("No heading here")).toBeNull();
    expect(titleFromFileName("my story.md")).toBe("my story");
  });
});
