/** "Condense to fit" on the new-project page: a tick, offered when the chosen text is past the
 * story limit or much longer than the video, with one line saying why and what it does. */
import { Checkbox, Typography } from "antd";
import { useId } from "react";
import { useI18n } from "../../i18n";
import { formatNumber } from "../../lib/format";
import type { CondenseReason } from "./condense";

interface Props {
  reason: CondenseReason;
  /** Characters of the text, and the story limit (when known): what `limit` says. */
  chars: number;
  maxChars: number | null;
  /** About how long narrating the text takes: what `length` says. */
  seconds: number;
  checked: boolean;
  onChange: (checked: boolean) => void;
  disabled?: boolean;
}

export function CondenseOption({ reason, chars, maxChars, seconds, checked, onChange, disabled }: Props) {
  const { t, lang } = useI18n();
  const id = useId();
  const hint =
    reason === "limit" && maxChars !== null
      ? t("projects.condense.hintLimit", { n: formatNumber(chars, lang), max: formatNumber(maxChars, lang) })
      : t("projects.condense.hintLength", {
          d: seconds < 90 ? t("projects.condense.seconds", { n: Math.round(seconds) }) : t("projects.condense.minutes", { n: Math.round(seconds / 60) }),
        });
  return (
    <div className="projects-condense" data-testid="condense-option" data-reason={reason} style={{ marginBottom: 16 }}>
      <Checkbox checked={checked} disabled={disabled} onChange={(e) => onChange(e.target.checked)} aria-describedby={`${id}-hint`}>
        {t("projects.condense.label")}
      </Checkbox>
      <Typography.Paragraph type="secondary" id={`${id}-hint`} style={{ fontSize: 13, margin: "2px 0 0 24px" }}>
        {hint}
      </Typography.Paragraph>
    </div>
  );
}
