import { cleanup, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { App } from "antd";
import { afterEach, describe, expect, it, vi } from "vitest";
import { I18nProvider } from "../../i18n";
import { ShareButton } from "./ShareButton";
import type { Project } from "./editor/types";

const video = { id: "v1", kind: "video", mime: "video/mp4", size: 10, created_at: "2026-01-01T00:00:00Z", url: "/api/v1/assets/v1/content?sig=a" };
const finished = { id: "p1", title: "The lighthouse", latest_render: { video } } as unknown as Pick<Project, "id" | "title" | "latest_render">;

function show(project = finished) {
  localStorage.setItem("storyreel.lang", "en");
  render(
    <I18nProvider>
      <App>
        <ShareButton project={project} />
      </App>
    </I18nProvider>,
  );
}

describe("ShareButton", () => {
  afterEach(() => {
    cleanup();
    // jsdom has no navigator.share of its own; each test adds one or not.
    delete (navigator as Partial<Navigator>).share;
  });

  it("is not shown where the browser cannot share", () => {
    show();
    expect(screen.queryByTestId("project-share")).toBeNull();
  });

  it("is not shown before there is a finished video", () => {
    Object.defineProperty(navigator, "share", { value: vi.fn(), configurable: true });
    show({ ...finished, latest_render: null });
    expect(screen.queryByTestId("project-share")).toBeNull();
  });

  it("shares the project's page, with its title", async () => {
    const shareSheet = vi.fn(async () => undefined);
    Object.defineProperty(navigator, "share", { value: shareSheet, configurable: true });
    show();
    await userEvent.click(screen.getByRole("button", { name: /share$/i }));
    expect(shareSheet).toHaveBeenCalledWith({
      title: "The lighthouse",
      text: "“The lighthouse”, a video made with storyreel",
      url: `${window.location.origin}/projects/p1`,
    });
  });

  it("says why when sharing fails, but not when the sheet is closed", async () => {
    const shareSheet = vi
      .fn()
      .mockRejectedValueOnce(new DOMException("Share canceled", "AbortError"))
      .mockRejectedValueOnce(new DOMException("Permission denied", "NotAllowedError"));
    Object.defineProperty(navigator, "share", { value: shareSheet, configurable: true });
    show();
    await userEvent.click(screen.getByRole("button", { name: /share$/i }));
    expect(screen.queryByText(/could not share/i)).toBeNull();
    await userEvent.click(screen.getByRole("button", { name: /share$/i }));
    expect(await screen.findByText("Could not share: Permission denied")).toBeInTheDocument();
  });
});
