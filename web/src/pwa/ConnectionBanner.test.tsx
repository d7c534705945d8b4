import { act, cleanup, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import { I18nProvider } from "../i18n";
import { ConnectionBanner } from "./ConnectionBanner";
import { Connection } from "./connection";

function offlineConnection(answer: { up: boolean }) {
  return new Connection({
    browserOnline: () => true,
    probe: async () => answer.up,
    setTimeout: () => null,
    clearTimeout: () => undefined,
  });
}

function show(connection: Connection, lang: "en" | "zh" = "en") {
  localStorage.setItem("storyreel.lang", lang);
  render(
    <I18nProvider>
      <ConnectionBanner connection={connection} />
    </I18nProvider>,
  );
}

describe("ConnectionBanner", () => {
  afterEach(() => cleanup());

  it("shows nothing while the server answers", () => {
    show(offlineConnection({ up: true }));
    expect(screen.queryByTestId("offline-banner")).toBeNull();
  });

  it("says the server cannot be reached, and goes away once Retry reaches it", async () => {
    const answer = { up: false };
    const connection = offlineConnection(answer);
    show(connection);
    act(() => connection.unreachable());
    const banner = screen.getByRole("alert");
    expect(banner).toHaveAttribute("data-reason", "server");
    expect(banner).toHaveTextContent("Cannot reach the storyreel server");
    expect(banner).toHaveTextContent("The server did not answer.");
    expect(banner).toHaveTextContent("tries again every few seconds");

    await userEvent.click(screen.getByRole("button", { name: /retry now/i }));
    expect(screen.getByTestId("offline-banner")).toBeInTheDocument(); // still down
    answer.up = true;
    await userEvent.click(screen.getByRole("button", { name: /retry now/i }));
    expect(screen.queryByTestId("offline-banner")).toBeNull();
  });

  it("says so in Chinese, naming a device that is offline", () => {
    const connection = offlineConnection({ up: false });
    show(connection, "zh");
    act(() => connection.browserChanged(false));
    const banner = screen.getByRole("alert");
    expect(banner).toHaveAttribute("data-reason", "browser");
    expect(banner).toHaveTextContent("无法连接到 storyreel 服务器");
    expect(banner).toHaveTextContent("此设备已离线。");
    expect(screen.getByRole("button", { name: "立即重试" })).toBeInTheDocument();
  });
});
