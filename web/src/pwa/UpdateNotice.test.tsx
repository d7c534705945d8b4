import { cleanup, render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { App } from "antd";
import { useState } from "react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { I18nProvider } from "../i18n";
import { UpdateNotice } from "./UpdateNotice";

function Harness({ onReload }: { onReload: () => void }) {
  const [open, setOpen] = useState(true);
  return (
    <>
      <output data-testid="waiting">{open ? "offered" : "put off"}</output>
      <UpdateNotice open={open} onReload={onReload} onLater={() => setOpen(false)} />
    </>
  );
}

function show(onReload: () => void) {
  localStorage.setItem("storyreel.lang", "en");
  render(
    <I18nProvider>
      <App>
        <Harness onReload={onReload} />
      </App>
    </I18nProvider>,
  );
}

describe("UpdateNotice", () => {
  afterEach(() => cleanup());

  it("offers the new version, and Reload switches to it", async () => {
    const reload = vi.fn();
    show(reload);
    expect(await screen.findByText("A new version of the studio is available")).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Reload" }));
    expect(reload).toHaveBeenCalledOnce();
  });

  it("can be put off for later", async () => {
    const reload = vi.fn();
    show(reload);
    await userEvent.click(await screen.findByRole("button", { name: "Later" }));
    await waitFor(() => expect(screen.getByTestId("waiting")).toHaveTextContent("put off"));
    expect(reload).not.toHaveBeenCalled();
  });
});
