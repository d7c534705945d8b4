import { cleanup, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { afterEach, describe, expect, it } from "vitest";
import { I18nProvider } from "../../i18n";
import type { CondenseReason } from "./condense";
import { CondenseOption } from "./CondenseOption";

function Harness({ reason, maxChars }: { reason: CondenseReason; maxChars: number | null }) {
  const [checked, setChecked] = useState(false);
  return (
    <>
      <CondenseOption reason={reason} chars={150_000} maxChars={maxChars} seconds={400} checked={checked} onChange={setChecked} />
      <output data-testid="sent">{String(checked)}</output>
    </>
  );
}

function show(lang: "en" | "zh", reason: CondenseReason, maxChars: number | null = 100_000) {
  localStorage.setItem("storyreel.lang", lang);
  return render(
    <I18nProvider>
      <Harness reason={reason} maxChars={maxChars} />
    </I18nProvider>,
  );
}

describe("CondenseOption", () => {
  afterEach(() => cleanup());

  it("explains a text past the story limit in one line, and ticks by keyboard", async () => {
    show("en", "limit");
    const box = screen.getByRole("checkbox", { name: "Condense to fit" });
    expect(box).not.toBeChecked();
    expect(box).toHaveAccessibleDescription(
      "The text is about 150,000 characters, more than one story's 100,000: it is shortened to the video's length, keeping its key moments.",
    );
    box.focus();
    await userEvent.keyboard(" ");
    expect(box).toBeChecked();
    expect(screen.getByTestId("sent")).toHaveTextContent("true");
  });

  it("explains a text much longer than the video, in Chinese", () => {
    show("zh", "length");
    const box = screen.getByRole("checkbox", { name: "压缩到合适的长度" });
    expect(box).toHaveAccessibleDescription("这段文字朗读约需 7 分钟，远长于视频：将压缩到合适的长度，保留关键情节。");
    cleanup();
    render(
      <I18nProvider>
        <CondenseOption reason="length" chars={300} maxChars={null} seconds={48.4} checked={false} onChange={() => undefined} />
      </I18nProvider>,
    );
    expect(screen.getByRole("checkbox")).toHaveAccessibleDescription(/^这段文字朗读约需 48 秒，/);
    expect(screen.getByTestId("condense-option")).toHaveAttribute("data-reason", "length");
  });

  it("says the length when the limit is not known", () => {
    show("en", "limit", null);
    expect(screen.getByRole("checkbox", { name: "Condense to fit" })).toHaveAccessibleDescription(/about 7 minutes to narrate/);
  });
});
