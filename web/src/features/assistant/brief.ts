/** How the brief reads on the page: lengths in words, and the open issues by kind. */
import type { TFunction } from "../../i18n";
import type { Issue } from "./api";

/** 30 → "30 seconds"; 60 → "1 min"; 90 → "1 min 30 s". */
export function lengthLabel(t: TFunction, seconds: number): string {
  const total = Math.max(0, Math.round(seconds));
  if (total < 60) return t("assistant.seconds", { n: total });
  const m = Math.floor(total / 60);
  const s = total % 60;
  return s === 0 ? t("assistant.minutes", { n: m }) : t("assistant.minutesSeconds", { m, s });
}

export interface IssueGroups {
  contradictions: Issue[];
  missing: Issue[];
  assumed: Issue[];
}

export function groupIssues(issues: readonly Issue[]): IssueGroups {
  return {
    contradictions: issues.filter((i) => i.kind === "contradiction"),
    missing: issues.filter((i) => i.kind === "missing"),
    assumed: issues.filter((i) => i.kind === "assumed"),
  };
}
