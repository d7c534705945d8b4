/** The quality check a render had before it was called done (docs/quality-checks.md): a badge
 * ("Checked ✓", or "Needs attention" in the warning colour) that opens the report — the summary,
 * then every check with its verdict, the server's sentence and the places it found (time and
 * shot; a shot links to its card when the panel can show it). */
import { CheckCircleFilled, CloseCircleFilled, MinusCircleOutlined, WarningFilled } from "@ant-design/icons";
import { Alert, Button, Drawer, Grid, Typography } from "antd";
import { useState, type ReactNode } from "react";
import type { Schemas } from "../../api/client";
import { useT } from "../../i18n";
import { formatDuration } from "../../lib/format";
import type { StudioKey } from "./editor/types";

export type Qc = Schemas["QcOut"];
type Check = Schemas["QcCheckOut"];
type Finding = Schemas["QcFindingOut"];

/** The checks' human names, by the server's stable ids; a check the studio does not know yet
 * shows its id. */
const CHECK_LABELS: Record<string, StudioKey> = {
  av_sync: "studio.qc.check.av_sync",
  loudness: "studio.qc.check.loudness",
  true_peak: "studio.qc.check.true_peak",
  music_under_speech: "studio.qc.check.music_under_speech",
  black: "studio.qc.check.black",
  freeze: "studio.qc.check.freeze",
  narration_silent: "studio.qc.check.narration_silent",
  unplanned_speech: "studio.qc.check.unplanned_speech",
  cue_timing: "studio.qc.check.cue_timing",
  subtitle_safe_area: "studio.qc.check.subtitle_safe_area",
  subtitle_lines: "studio.qc.check.subtitle_lines",
};

// The same readable tints as Pill's green and amber (WCAG AA on their background).
const TONE = {
  ok: { color: "#17703a", background: "#e3f5e9" },
  attention: { color: "#7a4a00", background: "#fff1d6" },
};

const STATUS_ICON: Record<Check["status"], ReactNode> = {
  pass: <CheckCircleFilled aria-hidden style={{ color: "#389e0d" }} />,
  fail: <CloseCircleFilled aria-hidden style={{ color: "#cf1322" }} />,
  skipped: <MinusCircleOutlined aria-hidden style={{ color: "#8c8c8c" }} />,
};

interface Props {
  qc: Qc | null | undefined;
  /** Show shot `n` (1-based) of the storyboard; without it a finding names its shot in words. */
  onShot?: (n: number) => void;
}

export function QcBadge({ qc, onShot }: Props) {
  const t = useT();
  const [open, setOpen] = useState(false);
  if (!qc) return null;
  const verdict = qc.outcome === "ok" ? t("studio.qc.ok") : t("studio.qc.attention");
  return (
    <>
      <Button
        size="small"
        data-testid="qc-badge"
        data-outcome={qc.outcome}
        aria-haspopup="dialog"
        aria-label={t("studio.qc.open", { verdict })}
        title={qc.outcome === "attention" ? qc.summary : undefined}
        icon={qc.outcome === "attention" ? <WarningFilled aria-hidden /> : undefined}
        style={{ ...TONE[qc.outcome], borderColor: "transparent", fontSize: 12 }}
        onClick={() => setOpen(true)}
      >
        {verdict}
      </Button>
      <QcReport
        qc={qc}
        open={open}
        onClose={() => setOpen(false)}
        onShot={
          onShot &&
          ((n) => {
            setOpen(false);
            onShot(n);
          })
        }
      />
    </>
  );
}

export function QcReport({ qc, open, onClose, onShot }: { qc: Qc; open: boolean; onClose: () => void; onShot?: (n: number) => void }) {
  const t = useT();
  const screens = Grid.useBreakpoint();
  const ok = qc.outcome === "ok";
  return (
    <Drawer title={t("studio.qc.title")} open={open} onClose={onClose} size={screens.sm ? 520 : "100%"} data-testid="qc-report">
      <Alert
        type={ok ? "success" : "warning"}
        showIcon
        data-testid="qc-summary"
        title={ok ? t("studio.qc.allPassed") : qc.summary}
        description={t("studio.qc.elapsed", { s: qc.elapsed_s.toFixed(1) })}
        style={{ marginBottom: 16 }}
      />
      <ul style={{ listStyle: "none", margin: 0, padding: 0, display: "flex", flexDirection: "column", gap: 14 }}>
        {qc.checks.map((check) => (
          <li key={check.name} data-testid="qc-check" data-name={check.name} data-status={check.status}>
            <div style={{ display: "flex", gap: 8, alignItems: "baseline", flexWrap: "wrap" }}>
              {STATUS_ICON[check.status]}
              <Typography.Text strong>{CHECK_LABELS[check.name] ? t(CHECK_LABELS[check.name]) : check.name}</Typography.Text>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {t(`studio.qc.status.${check.status}`)}
              </Typography.Text>
            </div>
            <Typography.Paragraph style={{ margin: "2px 0 0 22px", fontSize: 13 }}>{check.message}</Typography.Paragraph>
            {check.findings.length > 0 && (
              <ul style={{ margin: "4px 0 0 22px", paddingInlineStart: 16, fontSize: 13 }}>
                {check.findings.map((finding, i) => (
                  <FindingItem key={i} finding={finding} onShot={onShot} />
                ))}
              </ul>
            )}
          </li>
        ))}
      </ul>
    </Drawer>
  );
}

function FindingItem({ finding, onShot }: { finding: Finding; onShot?: (n: number) => void }) {
  const t = useT();
  const { start, end, shot } = finding;
  const when = start == null ? null : end == null || end <= start ? formatDuration(start) : `${formatDuration(start)}–${formatDuration(end)}`;
  return (
    <li data-testid="qc-finding">
      {when && <Typography.Text type="secondary">{when} · </Typography.Text>}
      {shot != null &&
        (onShot ? (
          <Button type="link" size="small" style={{ padding: 0, height: "auto" }} aria-label={t("studio.qc.goToShot", { n: shot })} onClick={() => onShot(shot)} data-testid="qc-finding-shot">
            {t("studio.qc.shot", { n: shot })}
          </Button>
        ) : (
          <Typography.Text>{t("studio.qc.shot", { n: shot })}</Typography.Text>
        ))}
      {shot != null && " — "}
      {finding.message}
    </li>
  );
}
