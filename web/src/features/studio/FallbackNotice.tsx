/** Says, above the video, which work a stand-in provider made (a refused key, an outage, a
 * content policy) and why — the reason names the setting to fix — so a sketch in the film is
 * never a silent surprise. */
import { Alert } from "antd";
import { useMemo } from "react";
import { useT } from "../../i18n";
import { fallbackSummary } from "./editor/fallbacks";
import { currentTaskIds } from "./editor/permissions";
import type { Project, StudioKey, Task } from "./editor/types";

const KINDS = new Set(["storyboard", "image", "voice", "motion", "music"]);

export function FallbackNotice({ project, tasks }: { project: Project; tasks: Task[] }) {
  const t = useT();
  const groups = useMemo(() => fallbackSummary(tasks, currentTaskIds(project)), [tasks, project]);
  if (groups.length === 0) return null;
  return (
    <Alert
      type="warning"
      showIcon
      data-testid="fallback-notice"
      title={t("studio.fallback.title")}
      description={
        <ul style={{ margin: 0, paddingInlineStart: 18 }}>
          {groups.map((g) => {
            const what = t((KINDS.has(g.kind) ? `studio.kind.${g.kind}` : "studio.kind.other") as StudioKey);
            const from = g.from.join(", ");
            const to = g.to || t("studio.fallback.another");
            return (
              <li key={g.kind} data-testid="fallback-line" data-kind={g.kind}>
                {g.perShot ? t("studio.fallback.shots", { what, from, to, n: g.count, total: g.total }) : t("studio.fallback.once", { what, from, to })}
                {g.reason && <div style={{ fontSize: 12, opacity: 0.85, overflowWrap: "anywhere" }}>{t("studio.fallback.reason", { reason: g.reason })}</div>}
              </li>
            );
          })}
        </ul>
      }
    />
  );
}
