/** Work that fell back from one provider to another (a refused key, an outage, a content
 * policy): read from the tasks' results (`failovers`, `served_by`), so the studio can say what
 * was made by a stand-in and what to fix. */
import type { Task } from "./types";

export interface TaskFallback {
  /** Providers passed over, in the order they were tried. */
  from: string[];
  /** The provider that made it instead. */
  to: string;
  /** Why the first was passed over: the server's words and what to set. */
  reason: string;
}

export interface FallbackGroup extends TaskFallback {
  kind: string;
  /** Tasks of this kind that fell back, and how many there are. */
  count: number;
  total: number;
  perShot: boolean;
}

/** Capabilities in the order the pipeline runs them. */
const ORDER = ["storyboard", "image", "voice", "motion", "music"];

function isFailover(value: unknown): value is { provider: string; reason: string } {
  return typeof value === "object" && value !== null && typeof (value as { provider?: unknown }).provider === "string";
}

export function taskFallback(task: Pick<Task, "result">): TaskFallback | null {
  const raw = task.result?.failovers;
  const list = Array.isArray(raw) ? raw.filter(isFailover) : [];
  if (list.length === 0) return null;
  const servedBy = task.result?.served_by;
  return {
    from: [...new Set(list.map((f) => f.provider))],
    to: typeof servedBy === "string" ? servedBy : "",
    reason: String(list[0].reason ?? ""),
  };
}

/** One group per capability whose current work fell back, with the most frequent reason. */
export function fallbackSummary(tasks: Task[], current: Set<string>): FallbackGroup[] {
  const groups: FallbackGroup[] = [];
  for (const kind of ORDER) {
    const mine = tasks.filter((t) => t.kind === kind && current.has(t.id));
    const fell = mine.map(taskFallback).filter((f): f is TaskFallback => f !== null);
    if (fell.length === 0) continue;
    const reasons = new Map<string, number>();
    for (const f of fell) reasons.set(f.reason, (reasons.get(f.reason) ?? 0) + 1);
    const reason = [...reasons.entries()].sort((a, b) => b[1] - a[1])[0][0];
    groups.push({
      kind,
      from: [...new Set(fell.flatMap((f) => f.from))],
      to: [...new Set(fell.map((f) => f.to).filter(Boolean))].join(", "),
      reason,
      count: fell.length,
      total: mine.length,
      perShot: mine.some((t) => t.shot_id !== null),
    });
  }
  return groups;
}
