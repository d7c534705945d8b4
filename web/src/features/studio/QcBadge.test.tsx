import { cleanup, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { I18nProvider } from "../../i18n";
import { QcBadge, type Qc } from "./QcBadge";

const SILENT = "Shot 2's narration is silent from 0:05.1 to 0:09.4 (4.3 s).";

/** A report as the server sends it (docs/quality-checks.md). */
function report(outcome: Qc["outcome"]): Qc {
  return {
    outcome,
    summary: outcome === "ok" ? "" : SILENT,
    elapsed_s: 19.84,
    checks: [
      {
        name: "narration_silent",
        status: outcome === "ok" ? "pass" : "fail",
        message: outcome === "ok" ? "Every narration is heard." : SILENT,
        measured: { longest_silence_s: 4.3 },
        threshold: { max_silence_s: 1.5 },
        findings: outcome === "ok" ? [] : [{ message: SILENT, start: 5.1, end: 9.4, shot: 2 }],
      },
      {
        name: "loudness",
        status: "pass",
        message: "Loudness is -16.1 LUFS.",
        measured: { integrated_lufs: -16.1 },
        threshold: { target_lufs: -16, tolerance_lu: 1 },
        findings: [],
      },
      { name: "av_sync", status: "pass", message: "Picture and sound end together.", measured: {}, threshold: {}, findings: [] },
      { name: "music_under_speech", status: "skipped", message: "There is no music.", measured: {}, threshold: {}, findings: [] },
      { name: "sparkle", status: "pass", message: "A check this studio does not know yet.", measured: {}, threshold: {}, findings: [] },
    ],
  };
}

function show(qc: Qc | null, { lang = "en", onShot }: { lang?: "en" | "zh"; onShot?: (n: number) => void } = {}) {
  localStorage.setItem("storyreel.lang", lang);
  return render(
    <I18nProvider>
      <QcBadge qc={qc} onShot={onShot} />
    </I18nProvider>,
  );
}

async function openReport() {
  await userEvent.click(screen.getByTestId("qc-badge"));
  return screen.findByTestId("qc-report");
}

// Opening antd's drawer (its styles made on first use) takes seconds on a busy 2-core machine.
describe("QcBadge", { timeout: 20_000 }, () => {
  afterEach(cleanup);

  it("shows nothing for a render that was not checked", () => {
    const { container } = show(null);
    expect(container).toBeEmptyDOMElement();
  });

  it("says a render that passed is checked, and its report lists every check by its human name", async () => {
    show(report("ok"));
    const badge = screen.getByTestId("qc-badge");
    expect(badge).toHaveTextContent("Checked ✓");
    expect(badge).toHaveAttribute("data-outcome", "ok");
    expect(badge).toHaveAccessibleName("Quality check: Checked ✓. Open the report");

    const drawer = await openReport();
    expect(within(drawer).getByTestId("qc-summary")).toHaveTextContent("Every check passed.");
    expect(within(drawer).getByTestId("qc-summary")).toHaveTextContent("Measured in 19.8 s.");
    const checks = within(drawer).getAllByTestId("qc-check");
    expect(checks.map((c) => c.getAttribute("data-name"))).toEqual(["narration_silent", "loudness", "av_sync", "music_under_speech", "sparkle"]);
    expect(checks[0]).toHaveTextContent("Silent narrationPassedEvery narration is heard.");
    expect(checks[2]).toHaveTextContent("A/V sync");
    expect(checks[3]).toHaveTextContent("Music under speechSkippedThere is no music.");
    // A check the studio has no name for yet shows the server's id.
    expect(checks[4]).toHaveTextContent("sparkle");
    expect(within(drawer).queryAllByTestId("qc-finding")).toHaveLength(0);
  });

  it("marks a render that needs attention, with the reason on top and each place found", async () => {
    const onShot = vi.fn();
    show(report("attention"), { onShot });
    const badge = screen.getByTestId("qc-badge");
    expect(badge).toHaveTextContent("Needs attention");
    expect(badge).toHaveAttribute("data-outcome", "attention");

    const drawer = await openReport();
    expect(within(drawer).getByTestId("qc-summary")).toHaveTextContent(SILENT);
    const failed = within(drawer).getAllByTestId("qc-check")[0];
    expect(failed).toHaveAttribute("data-status", "fail");
    expect(failed).toHaveTextContent("Silent narrationFailed");
    const finding = within(failed).getByTestId("qc-finding");
    expect(finding).toHaveTextContent(`0:05–0:09 · shot 2 — ${SILENT}`);

    // The shot links to its card: the panel is asked to show it, and the report gets out of the way.
    await userEvent.click(within(finding).getByRole("button", { name: "Go to shot 2 in the storyboard" }));
    expect(onShot).toHaveBeenCalledWith(2);
    await vi.waitFor(() => expect(screen.queryByTestId("qc-report")).not.toBeVisible());
  });

  it("names the shot in words where the panel cannot show it", async () => {
    show(report("attention"));
    const drawer = await openReport();
    const finding = within(drawer).getByTestId("qc-finding");
    expect(finding).toHaveTextContent("shot 2");
    expect(within(finding).queryByRole("button")).toBeNull();
  });

  it("speaks Chinese", async () => {
    show(report("attention"), { lang: "zh" });
    expect(screen.getByTestId("qc-badge")).toHaveTextContent("需要注意");
    const drawer = await openReport();
    expect(within(drawer).getByText("质量检查")).toBeInTheDocument();
    const checks = within(drawer).getAllByTestId("qc-check");
    expect(checks[0]).toHaveTextContent("旁白无声未通过");
    expect(checks[1]).toHaveTextContent("响度通过");
    expect(within(drawer).getByTestId("qc-finding")).toHaveTextContent("镜头 2");
  });
});
