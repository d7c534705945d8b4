import { cleanup, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import { I18nProvider } from "../../i18n";
import { PromptScore, scoreTone, type ImagePrompt } from "./PromptScore";

const PROMPT: ImagePrompt = {
  family: "sdxl",
  language: "en",
  score: 75,
  reasons: [
    { code: "missing_setting", message: "the shot has no setting in this language", points: 15 },
    { code: "missing_time_of_day", message: "the shot has no time of day", points: 10 },
  ],
  prompt: "masterpiece, best quality, white crane",
  negative_prompt: "blurry",
};

function show(lang: "en" | "zh", prompt: ImagePrompt = PROMPT) {
  localStorage.setItem("storyreel.lang", lang);
  return render(
    <I18nProvider>
      <PromptScore prompt={prompt} />
    </I18nProvider>,
  );
}

describe("PromptScore", () => {
  afterEach(() => cleanup());

  it("shows the score as a tag, and on focus the family and why points were lost", async () => {
    show("en");
    const tag = screen.getByTestId("prompt-score");
    expect(tag).toHaveTextContent("Prompt score 75/100");
    expect(tag).toHaveAttribute("data-score", "75");
    await userEvent.tab();
    expect(tag).toHaveFocus();
    const details = await screen.findByTestId("prompt-score-details");
    expect(details).toHaveTextContent("Written for: SDXL");
    expect(details).toHaveTextContent("Language: English");
    const reasons = within(details).getAllByRole("listitem");
    expect(reasons.map((r) => r.getAttribute("data-code"))).toEqual(["missing_setting", "missing_time_of_day"]);
    expect(reasons[0]).toHaveTextContent("−15 No setting: where it happens");
    expect(reasons[0]).toHaveTextContent("the shot has no setting in this language");
  });

  it("says it in Chinese, and that nothing is missing from a full score", async () => {
    show("zh", { ...PROMPT, family: "plain", language: "zh", score: 100, reasons: [] });
    const tag = screen.getByTestId("prompt-score");
    expect(tag).toHaveTextContent("提示词评分 100/100");
    await userEvent.hover(tag);
    const details = await screen.findByTestId("prompt-score-details");
    expect(details).toHaveTextContent("适用于：任意图像模型（分镜原文）");
    expect(details).toHaveTextContent("没有缺项");
    expect(within(details).queryAllByRole("listitem")).toHaveLength(0);
  });

  it("colours the tag by the score", () => {
    expect(scoreTone(100)).toBe("success");
    expect(scoreTone(80)).toBe("success");
    expect(scoreTone(65)).toBe("warning");
    expect(scoreTone(30)).toBe("error");
  });
});
