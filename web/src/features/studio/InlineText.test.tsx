import { act, cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "../../api/client";
import { I18nProvider } from "../../i18n";
import { InlineText } from "./InlineText";

function setup(onSave: (value: string) => Promise<string>, value = "A red fox.") {
  const view = render(
    <I18nProvider>
      <InlineText label="Narration" value={value} max={50} onSave={onSave} testId="shot-narration" />
    </I18nProvider>,
  );
  const field = screen.getByTestId("shot-narration") as HTMLTextAreaElement;
  const state = () => screen.getByTestId("shot-narration-state");
  return { ...view, field, state };
}

describe("InlineText", () => {
  beforeEach(() => {
    localStorage.setItem("storyreel.lang", "en");
  });
  afterEach(cleanup);

  it("is labelled and saves on Ctrl+Enter, showing saving then saved", async () => {
    let resolve: (v: string) => void = () => undefined;
    const onSave = vi.fn(() => new Promise<string>((r) => (resolve = r)));
    const { field, state } = setup(onSave);
    expect(screen.getByLabelText("Narration")).toBe(field);
    await userEvent.clear(field);
    await userEvent.type(field, "A grey wolf.");
    expect(state()).toHaveAttribute("data-state", "dirty");
    await userEvent.keyboard("{Control>}{Enter}{/Control}");
    expect(onSave).toHaveBeenCalledWith("A grey wolf.");
    expect(state()).toHaveAttribute("data-state", "saving");
    expect(state()).toHaveTextContent("Saving…");
    await act(async () => resolve("A grey wolf."));
    expect(state()).toHaveAttribute("data-state", "saved");
    expect(state()).toHaveTextContent("Saved");
  });

  it("saves when the field is left, and not when nothing changed", async () => {
    const onSave = vi.fn((v: string) => Promise.resolve(v));
    const { field } = setup(onSave);
    fireEvent.blur(field);
    expect(onSave).not.toHaveBeenCalled();
    await userEvent.type(field, " Then it ran.");
    fireEvent.blur(field);
    expect(onSave).toHaveBeenCalledWith("A red fox. Then it ran.");
  });

  it("shows the server's message on failure; Undo brings the saved text back", async () => {
    const onSave = vi.fn(() => Promise.reject(new ApiError(409, { message: "the storyboard is still being written" }, "409")));
    const { field, state } = setup(onSave);
    await userEvent.type(field, "!");
    await userEvent.keyboard("{Control>}{Enter}{/Control}");
    await waitFor(() => expect(state()).toHaveAttribute("data-state", "error"));
    expect(screen.getByRole("alert")).toHaveTextContent("the storyboard is still being written");
    expect(field.value).toBe("A red fox.!");
    await userEvent.click(screen.getByRole("button", { name: "Undo changes" }));
    expect(field.value).toBe("A red fox.");
    expect(state()).toHaveAttribute("data-state", "clean");
  });

  it("reverts on Escape and refuses to save an empty text", async () => {
    const onSave = vi.fn((v: string) => Promise.resolve(v));
    const { field, state } = setup(onSave);
    await userEvent.type(field, " More.");
    await userEvent.keyboard("{Escape}");
    expect(field.value).toBe("A red fox.");
    await userEvent.clear(field);
    expect(state()).toHaveAttribute("data-state", "invalid");
    expect(state()).toHaveTextContent("This cannot be empty.");
    await userEvent.keyboard("{Control>}{Enter}{/Control}");
    fireEvent.blur(field);
    expect(onSave).not.toHaveBeenCalled();
  });

  it("follows new text from the server unless the user is editing", async () => {
    const onSave = vi.fn((v: string) => Promise.resolve(v));
    const view = setup(onSave);
    const rerender = (value: string) =>
      view.rerender(
        <I18nProvider>
          <InlineText label="Narration" value={value} max={50} onSave={onSave} testId="shot-narration" />
        </I18nProvider>,
      );
    rerender("From elsewhere.");
    expect(view.field.value).toBe("From elsewhere.");
    await userEvent.type(view.field, " Mine.");
    rerender("Changed again.");
    expect(view.field.value).toBe("From elsewhere. Mine.");
  });
});
