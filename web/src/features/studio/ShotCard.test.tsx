import { cleanup, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { I18nProvider } from "../../i18n";
import { asset, shot, state } from "./editor/fixtures";
import type { Shot } from "./editor/types";
import { ShotCard, type ShotActions } from "./ShotCard";

const actions: ShotActions = {
  patch: vi.fn(),
  regenerate: vi.fn(),
  imageOptions: vi.fn(),
  split: vi.fn(),
  insertAfter: vi.fn(),
  remove: vi.fn(),
  move: vi.fn(),
};

const PROMPT = { family: "flux", language: "en", score: 85, reasons: [{ code: "missing_time_of_day", message: "the shot has no time of day", points: 10 }], prompt: "A crane.", negative_prompt: "" };

function show(s: Shot) {
  localStorage.setItem("storyreel.lang", "en");
  render(
    <I18nProvider>
      <ul>
        <ShotCard shot={s} index={0} total={1} aspect="16:9" characters={[]} canEdit readOnly={false} wide actions={actions} />
      </ul>
    </I18nProvider>,
  );
}

describe("ShotCard: the prompt's score", () => {
  afterEach(() => cleanup());

  it("shows the score of the prompt the picture was drawn from, under the prompt", () => {
    show(shot("s1", { image: asset("a1"), image_prompt: PROMPT }));
    expect(screen.getByTestId("prompt-score")).toHaveTextContent("Prompt score 85/100");
  });

  it("shows none before a picture, or while a new one is drawn", () => {
    show(shot("s1"));
    expect(screen.queryByTestId("prompt-score")).toBeNull();
    cleanup();
    show(shot("s1", { image: asset("a1"), image_prompt: PROMPT, tasks: { image: state("running", 40) } }));
    expect(screen.queryByTestId("prompt-score")).toBeNull();
  });
});
