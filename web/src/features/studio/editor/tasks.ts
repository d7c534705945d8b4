/** Tasks in plain words: why one failed (and which step it started from), and the task log's
 * filters and order. */
import { isActive, isBroken } from "./status";
import type { Shot, StudioKey, Task } from "./types";

export interface Explanation {
  key: StudioKey;
  /** Worth trying again as it is. */
  retryable: boolean;
}

const BY_CODE: Record<string, Explanation> = {
  dependency_failed: { key: "studio.fail.dependency", retryable: true },
  timeout: { key: "studio.fail.timeout", retryable: true },
  crashed: { key: "studio.fail.crashed", retryable: true },
  worker_lost: { key: "studio.fail.workerLost", retryable: true },
  transient: { key: "studio.fail.transient", retryable: true },
  provider_not_configured: { key: "studio.fail.notConfigured", retryable: false },
  provider_error: { key: "studio.fail.provider", retryable: true },
  ffmpeg_failed: { key: "studio.fail.ffmpeg", retryable: true },
  missing_input: { key: "studio.fail.missingInput", retryable: false },
  no_storyboard: { key: "studio.fail.noStoryboard", retryable: false },
  cancelled: { key: "studio.fail.cancelled", retryable: true },
  invalid_params: { key: "studio.fail.invalid", retryable: false },
  invalid_input: { key: "studio.fail.invalid", retryable: false },
  unknown_voice: { key: "studio.fail.voice", retryable: false },
  unknown_provider: { key: "studio.fail.notConfigured", retryable: false },
  unknown_kind: { key: "studio.fail.notConfigured", retryable: false },
  not_found: { key: "studio.fail.notFound", retryable: false },
  budget_exceeded: { key: "studio.fail.budget", retryable: false },
};

const BY_MESSAGE: [RegExp, Explanation][] = [
  [/quota|limit reached|too many/i, { key: "studio.fail.quota", retryable: false }],
  [/out of memory|cuda|oom\b/i, { key: "studio.fail.memory", retryable: true }],
  [/timed? ?out|deadline/i, { key: "studio.fail.timeout", retryable: true }],
  [/connect|unreachable|refused|network|dns|503|502|504/i, { key: "studio.fail.network", retryable: true }],
  [/ffmpeg/i, { key: "studio.fail.ffmpeg", retryable: true }],
  [/not configured|api key|credential|unauthori[sz]ed|401|403/i, { key: "studio.fail.notConfigured", retryable: false }],
];

/** A failure in plain words (a translation key), from the task's error code and message;
 * null when the task did not fail. The server's own message is shown beside it. */
export function explainFailure(task: Pick<Task, "status" | "error">): Explanation | null {
  if (!isBroken(task.status)) return null;
  if (task.status === "cancelled" && (!task.error || task.error.code === "cancelled")) return BY_CODE.cancelled;
  const code = task.error?.code ?? "";
  const message = task.error?.message ?? "";
  // A provider's or crash's message often says more than its code.
  if (code === "provider_error" || code === "crashed" || code === "task_failed" || code === "transient" || !BY_CODE[code]) {
    for (const [pattern, explanation] of BY_MESSAGE) if (pattern.test(message)) return explanation;
  }
  if (BY_CODE[code]) {
    const known = BY_CODE[code];
    return task.error?.retryable && !known.retryable ? { ...known, retryable: true } : known;
  }
  return { key: "studio.fail.unknown", retryable: task.error?.retryable ?? true };
}

/** The step a failure started from: a "dependency failed" names the task it waited for
 * ("voice task <id> failed"), which may itself have waited for another. That task, when the
 * log has it; null when the failure is the task's own. Retrying it brings back the steps it
 * took down. */
export function rootFailure(task: Pick<Task, "id" | "error">, byId: Map<string, Task>): Task | null {
  let root: Task | null = null;
  let current: Pick<Task, "id" | "error"> = task;
  const seen = new Set<string>([task.id]);
  for (let hop = 0; hop < 20; hop++) {
    if (current.error?.code !== "dependency_failed") break;
    const match = /\btask ([0-9a-zA-Z_-]+) (?:failed|cancelled)/.exec(current.error.message);
    const next = match ? byId.get(match[1]) : undefined;
    if (!next || seen.has(next.id)) break;
    seen.add(next.id);
    root = next;
    current = next;
  }
  return root;
}

// --- the task log ---------------------------------------------------------------------------

export type TaskFilter = "all" | "problems" | "active";

export function filterTasks(tasks: Task[], filter: TaskFilter): Task[] {
  if (filter === "problems") return tasks.filter((t) => isBroken(t.status));
  if (filter === "active") return tasks.filter((t) => isActive(t.status));
  return tasks;
}

/** Newest first (the server lists oldest first). */
export function newestFirst(tasks: Task[]): Task[] {
  return [...tasks].sort((a, b) => {
    const d = Date.parse(b.timings.created_at) - Date.parse(a.timings.created_at);
    return d !== 0 ? d : b.id.localeCompare(a.id);
  });
}

/** The 1-based number of the shot a task works on, when it still exists. */
export function shotNumber(shots: Shot[], shotId: string | null): number | null {
  if (!shotId) return null;
  const i = shots.findIndex((s) => s.id === shotId);
  return i < 0 ? null : i + 1;
}
