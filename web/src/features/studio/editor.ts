/** The studio's editor logic, free of React and of the network: progress per stage and
 * overall from the project payload, optimistic reorders and shot patches, the split point,
 * inline-edit drafts, what may be done when, and plain-words explanations of failures. */
import { arrayMove } from "@dnd-kit/sortable";
import type { Schemas } from "../../api/client";
import { routingFields, routingPayload, sameRouting, type RoutingFields } from "../providers/routing";
import type { en } from "./messages";

export type Project = Schemas["ProjectOut"];
export type Shot = Schemas["ShotOut"];
export type Task = Schemas["TaskOut"];
export type TaskState = Schemas["TaskState"];
export type Asset = Schemas["AssetOut"];
export type Render = Schemas["RenderOut"];
export type Character = Schemas["CharacterOut"];
export type ShotPatch = Schemas["ShotPatch"];
export type StudioKey = keyof typeof en;

export const SHOT_TYPES = ["wide", "medium", "close_up"] as const;
export type ShotType = (typeof SHOT_TYPES)[number];
export const MOTIONS = ["none", "zoom_in", "zoom_out", "pan_left", "pan_right", "pan_up", "pan_down"] as const;
export type Motion = (typeof MOTIONS)[number];

/** The server's limits on a shot's texts (ShotPatch). */
export const NARRATION_MAX = 2000;
export const PROMPT_MAX = 4000;

const ACTIVE = new Set(["blocked", "queued", "running"]);
const BROKEN = new Set(["failed", "cancelled"]);

export function isActive(status: string | undefined | null): boolean {
  return !!status && ACTIVE.has(status);
}

export function isBroken(status: string | undefined | null): boolean {
  return !!status && BROKEN.has(status);
}

// --- progress -------------------------------------------------------------------------------

export type StageKey = "storyboard" | "pictures" | "voices" | "motion" | "music" | "render";
export type StageStatus = "idle" | "waiting" | "running" | "done" | "failed";

export interface StageProgress {
  key: StageKey;
  status: StageStatus;
  /** Per-shot stages: shots finished / shots. Project stages: 1/1 when finished. */
  done: number;
  total: number;
  failed: number;
  /** 0–100. */
  percent: number;
  perShot: boolean;
}

export interface ProgressSummary {
  stages: StageProgress[];
  /** 0–100, weighted over the stages that take part. */
  overall: number;
  /** Some step is queued, waiting or running. */
  active: boolean;
  /** Some current step failed (or was cancelled). */
  failed: boolean;
}

/** How much of the overall bar each stage is worth (roughly its share of the time). */
const WEIGHTS: Record<StageKey, number> = {
  storyboard: 1,
  pictures: 4,
  voices: 2,
  motion: 1,
  music: 1,
  render: 3,
};

function clampPercent(n: number): number {
  if (!Number.isFinite(n)) return 0;
  return Math.max(0, Math.min(100, n));
}

/** One step's share finished (0–1) from its current task and whether its output exists. */
function fraction(task: TaskState | undefined, hasOutput: boolean): number {
  if (!task) return hasOutput ? 1 : 0;
  if (task.status === "succeeded") return 1;
  if (task.status === "running") return clampPercent(task.progress) / 100;
  return 0;
}

function projectStage(key: StageKey, task: TaskState | undefined, hasOutput: boolean): StageProgress {
  let status: StageStatus;
  if (!task) status = hasOutput ? "done" : "idle";
  else if (task.status === "succeeded") status = "done";
  else if (task.status === "running") status = "running";
  else if (isActive(task.status)) status = "waiting";
  else status = "failed";
  const f = fraction(task, hasOutput);
  return {
    key,
    status,
    done: status === "done" ? 1 : 0,
    total: 1,
    failed: status === "failed" ? 1 : 0,
    percent: Math.round(f * 100),
    perShot: false,
  };
}

type ShotStep = "image" | "voice" | "motion";

function hasShotOutput(shot: Shot, step: ShotStep): boolean {
  if (step === "image") return shot.image !== null;
  if (step === "voice") return shot.voice !== null;
  return shot.motion !== null;
}

function shotStage(key: StageKey, step: ShotStep, shots: Shot[]): StageProgress {
  let done = 0;
  let failed = 0;
  let running = 0;
  let waiting = 0;
  let sum = 0;
  for (const shot of shots) {
    const task = shot.tasks[step];
    const output = hasShotOutput(shot, step);
    const f = fraction(task, output);
    sum += f;
    if (f >= 1) done += 1;
    if (task?.status === "running") running += 1;
    else if (isActive(task?.status)) waiting += 1;
    else if (isBroken(task?.status)) failed += 1;
  }
  const total = shots.length;
  let status: StageStatus;
  if (running) status = "running";
  else if (failed) status = "failed";
  else if (waiting) status = "waiting";
  else if (total > 0 && done === total) status = "done";
  else status = "idle";
  return {
    key,
    status,
    done,
    total,
    failed,
    percent: total ? Math.round((sum / total) * 100) : 0,
    perShot: true,
  };
}

/** Each stage's progress and the overall percentage, from the project payload alone (its
 * `tasks` by kind and every shot's `tasks`). */
export function computeProgress(project: Pick<Project, "shots" | "tasks" | "latest_render" | "auto" | "music">): ProgressSummary {
  const shots = project.shots;
  const tasks = project.tasks;
  const storyboard = projectStage("storyboard", tasks.storyboard, shots.length > 0);
  const writing = isActive(tasks.storyboard?.status);
  const stages: StageProgress[] = [storyboard];
  const pictures = shotStage("pictures", "image", shots);
  const voices = shotStage("voices", "voice", shots);
  const motion = shotStage("motion", "motion", shots);
  stages.push(pictures, voices);
  if (motion.status !== "idle" || motion.done > 0) stages.push(motion);
  if (tasks.music) stages.push(projectStage("music", tasks.music, false));
  const render = projectStage("render", tasks.render, project.latest_render !== null);
  stages.push(render);

  const active = stages.some((s) => s.status === "running" || s.status === "waiting");
  const failed = stages.some((s) => s.status === "failed");
  // Stages that take part in the current run: anything not idle, and while an automatic
  // project's storyboard is being written, the steps it will plan (at 0 %).
  const counts = (s: StageProgress) =>
    s.status !== "idle" || (writing && project.auto && (s.key === "pictures" || s.key === "voices" || s.key === "render"));
  let weight = 0;
  let sum = 0;
  for (const s of stages) {
    if (!counts(s)) continue;
    weight += WEIGHTS[s.key];
    sum += WEIGHTS[s.key] * s.percent;
  }
  let overall = weight ? Math.round(sum / weight) : 0;
  if (active) overall = Math.min(overall, 99); // 100 % only once nothing is left to do
  return { stages, overall, active, failed };
}

// --- order ----------------------------------------------------------------------------------

export function shotIds(shots: Shot[]): string[] {
  return shots.map((s) => s.id);
}

function renumber(shots: Shot[]): Shot[] {
  return shots.map((s, i) => (s.position === i ? s : { ...s, position: i }));
}

/** The shots with `activeId` moved to where `overId` is (drag and drop); null when nothing
 * moves. Positions are renumbered. */
export function moveShot(shots: Shot[], activeId: string, overId: string): Shot[] | null {
  const from = shots.findIndex((s) => s.id === activeId);
  const to = shots.findIndex((s) => s.id === overId);
  if (from < 0 || to < 0 || from === to) return null;
  return renumber(arrayMove(shots, from, to));
}

/** The shots with `id` moved `delta` places (the move up/down buttons); null at the ends. */
export function moveShotBy(shots: Shot[], id: string, delta: number): Shot[] | null {
  const from = shots.findIndex((s) => s.id === id);
  const to = from + delta;
  if (from < 0 || to < 0 || to >= shots.length || delta === 0) return null;
  return renumber(arrayMove(shots, from, to));
}

/** The shots in the order of `ids` (a pending reorder over fresher data): shots `ids` does
 * not name (added meanwhile) keep their place after those it does; ids of shots gone are
 * skipped. */
export function applyOrder(shots: Shot[], ids: string[]): Shot[] {
  const rank = new Map(ids.map((id, i) => [id, i]));
  const known = shots.filter((s) => rank.has(s.id)).sort((a, b) => rank.get(a.id)! - rank.get(b.id)!);
  const rest = shots.filter((s) => !rank.has(s.id));
  return renumber([...known, ...rest]);
}

export function sameOrder(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}

/** The project with one shot's fields changed (an optimistic edit, or its rollback). */
export function patchShot(project: Project, shotId: string, patch: Partial<Shot>): Project {
  let changed = false;
  const shots = project.shots.map((s) => {
    if (s.id !== shotId) return s;
    changed = true;
    return { ...s, ...patch };
  });
  return changed ? { ...project, shots } : project;
}

/** What to send back to undo `patch` on `before` (the shot as it was). */
export function undoPatch(before: Shot, patch: ShotPatch): Partial<Shot> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(patch)) {
    if (key in before) out[key] = (before as unknown as Record<string, unknown>)[key];
  }
  return out as Partial<Shot>;
}

/** The project with the server's copy of a shot in place of ours. */
export function replaceShot(project: Project, shot: Shot): Project {
  return patchShot(project, shot.id, shot);
}

/** A shot's `ShotPatch` fields, as an optimistic `Partial<Shot>`. */
export function patchAsShot(patch: ShotPatch): Partial<Shot> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(patch)) {
    if (value !== null && value !== undefined && key !== "position") out[key] = value;
  }
  return out as Partial<Shot>;
}

/** A new shot's body: what the dialog asked for, and the place, mood and time of the shot it
 * follows (so its picture fits in), or the server's defaults for a first shot. */
export function newShotBody(
  fields: { narration: string; visual_prompt: string; shot_type: ShotType; camera_motion: Motion; position: number },
  shots: Shot[],
): Schemas["ShotIn"] {
  const position = Math.max(0, Math.min(shots.length, Math.round(fields.position)));
  const neighbour = shots[position - 1] ?? shots[position] ?? null;
  return {
    narration: fields.narration.trim(),
    visual_prompt: fields.visual_prompt.trim(),
    shot_type: fields.shot_type,
    camera_motion: fields.camera_motion,
    position,
    negative_prompt: neighbour?.negative_prompt ?? "",
    setting: neighbour?.setting ?? "",
    mood: neighbour?.mood ?? "",
    time_of_day: neighbour?.time_of_day ?? "",
    scene: neighbour?.scene ?? 0,
    duration_hint: 5,
    characters: [],
  };
}

// --- split ----------------------------------------------------------------------------------

/** Offsets are in Unicode code points, as the server counts them (not UTF-16 units). */
export function codePoints(text: string): string[] {
  return Array.from(text);
}

export type SplitPreview =
  | { ok: true; head: string; tail: string }
  | { ok: false; reason: "range" | "empty"; head: string; tail: string };

/** What splitting `text` at `at` gives: the shot keeps `head`, a new shot gets `tail`. */
export function splitPreview(text: string, at: number): SplitPreview {
  const chars = codePoints(text);
  const cut = Math.round(at);
  const head = chars.slice(0, Math.max(0, cut)).join("").trim();
  const tail = chars.slice(Math.max(0, cut)).join("").trim();
  if (!(cut > 0 && cut < chars.length)) return { ok: false, reason: "range", head, tail };
  if (!head || !tail) return { ok: false, reason: "empty", head, tail };
  return { ok: true, head, tail };
}

const SENTENCE_END = /[.!?。！？；;…]/u;
const CLAUSE_END = /[,，、:：;；—]/u;
const CLOSERS = /["'”’」』)）\]]/u;

function cutsAfter(text: string, mark: RegExp): number[] {
  const chars = codePoints(text);
  const out: number[] = [];
  for (let i = 0; i < chars.length; i++) {
    if (!mark.test(chars[i])) continue;
    let j = i + 1;
    while (j < chars.length && (mark.test(chars[j]) || CLOSERS.test(chars[j]))) j++;
    while (j < chars.length && /\s/u.test(chars[j])) j++;
    if (j < chars.length && !out.includes(j) && splitPreview(text, j).ok) out.push(j);
    i = j - 1;
  }
  return out;
}

/** Good places to cut: after each sentence's end (and its closing quotes), where the text
 * goes on. */
export function splitSuggestions(text: string): number[] {
  return cutsAfter(text, SENTENCE_END);
}

/** Next best, for a single sentence: after its commas and other pauses. */
export function pauseSuggestions(text: string): number[] {
  return cutsAfter(text, CLAUSE_END);
}

/** A word start near `at` (for texts with spaces), so a cut never halves a word: the start of
 * the word `at` falls in, or with `direction` 1 the next word's start. Texts without spaces
 * (Chinese and the like) may be cut at any character. */
export function snapToWord(text: string, at: number, direction: 1 | -1 = -1): number {
  const chars = codePoints(text);
  const space = (c: string | undefined) => c !== undefined && /\s/u.test(c);
  if (!chars.some((c) => space(c))) return at;
  const i = Math.max(0, Math.min(chars.length, Math.round(at)));
  const isStart = (j: number) => j === 0 || (space(chars[j - 1]) && !space(chars[j]));
  if (direction > 0) {
    for (let j = i; j < chars.length; j++) if (j > 0 && isStart(j)) return j;
  }
  let j = i;
  while (j > 0 && !isStart(j)) j--;
  return j;
}

/** Where the split dialog starts: the sentence end nearest the middle, else the pause nearest
 * the middle, else the word start nearest the middle, else the middle. */
export function defaultSplit(text: string): number {
  const length = codePoints(text).length;
  const middle = length / 2;
  const sentences = splitSuggestions(text);
  const suggestions = sentences.length ? sentences : pauseSuggestions(text);
  if (suggestions.length) {
    return suggestions.reduce((best, s) => (Math.abs(s - middle) < Math.abs(best - middle) ? s : best));
  }
  const snapped = snapToWord(text, middle);
  if (splitPreview(text, snapped).ok) return snapped;
  return Math.max(1, Math.floor(middle));
}

// --- inline-edit drafts ---------------------------------------------------------------------

export type DraftStatus = "clean" | "dirty" | "saving" | "saved" | "error";

export interface Draft {
  /** What the field shows. */
  value: string;
  /** The server's value as last known. */
  base: string;
  status: DraftStatus;
  error: string | null;
  /** The value being saved (after a failure: the value that failed). */
  sent: string | null;
}

export type DraftAction =
  | { type: "edit"; value: string }
  | { type: "revert" }
  | { type: "save-start" }
  | { type: "save-ok"; value: string }
  | { type: "save-fail"; error: string }
  | { type: "server"; value: string };

export function initialDraft(value: string): Draft {
  return { value, base: value, status: "clean", error: null, sent: null };
}

export function draftReducer(d: Draft, a: DraftAction): Draft {
  switch (a.type) {
    case "edit":
      if (a.value === d.value) return d;
      if (d.status === "saving") return { ...d, value: a.value };
      return { ...d, value: a.value, status: a.value === d.base ? "clean" : "dirty", error: null };
    case "revert":
      return { ...d, value: d.base, status: "clean", error: null, sent: null };
    case "save-start":
      return { ...d, status: "saving", error: null, sent: d.value };
    case "save-ok": {
      const untouched = d.value === d.sent;
      return {
        value: untouched ? a.value : d.value,
        base: a.value,
        status: untouched || d.value === a.value ? "saved" : "dirty",
        error: null,
        sent: null,
      };
    }
    case "save-fail":
      return { ...d, status: "error", error: a.error }; // `sent`: what failed
    case "server":
      if (a.value === d.base) return d;
      // Fresh data from elsewhere: take it unless the user has edits of their own in the field.
      if (d.status === "clean" || d.status === "saved") return { ...d, value: a.value, base: a.value };
      return { ...d, base: a.value, status: d.value === a.value && d.status !== "saving" ? "clean" : d.status };
  }
}

export type TextProblem = "empty" | "tooLong";

export function validateText(value: string, max: number): TextProblem | null {
  if (!value.trim()) return "empty";
  if (codePoints(value).length > max) return "tooLong";
  return null;
}

/** Whether leaving the field should save: not to send again, unchanged, what just failed
 * (that takes Try again or Ctrl+Enter). */
export function saveOnLeave(d: Draft, max: number): boolean {
  if (d.status === "error" && d.value === d.sent) return false;
  return needsSave(d, max);
}

/** Whether the draft holds a change worth sending (different and valid). */
export function needsSave(d: Draft, max: number): boolean {
  if (d.status === "saving") return false;
  if (d.value === d.base) return false;
  return validateText(d.value, max) === null;
}

// --- what may be done -----------------------------------------------------------------------

export interface Permissions {
  /** Edit shots and characters. */
  canEdit: boolean;
  canRender: boolean;
  canRegenerateStoryboard: boolean;
  storyboardActive: boolean;
  /** Why editing is off. */
  reason: "readOnly" | "writing" | null;
}

export function permissions(project: Pick<Project, "access" | "tasks" | "shots">): Permissions {
  const write = project.access === "write";
  const storyboardActive = isActive(project.tasks.storyboard?.status);
  const canEdit = write && !storyboardActive;
  return {
    canEdit,
    canRender: canEdit && project.shots.length > 0,
    canRegenerateStoryboard: write && !storyboardActive,
    storyboardActive,
    reason: !write ? "readOnly" : storyboardActive ? "writing" : null,
  };
}

/** The ids of the project's current tasks (the step each shot and the project is on);
 * older tasks in the log were replaced by these. */
export function currentTaskIds(project: Pick<Project, "tasks" | "shots">): Set<string> {
  const ids = new Set<string>();
  for (const t of Object.values(project.tasks)) ids.add(t.id);
  for (const shot of project.shots) for (const t of Object.values(shot.tasks)) ids.add(t.id);
  return ids;
}

/** A failed or cancelled task may run again unless a newer one already replaced it. */
export function canRetry(task: Pick<Task, "id" | "status">, current: Set<string>, write: boolean): boolean {
  return write && isBroken(task.status) && current.has(task.id);
}

export function canCancel(task: Pick<Task, "status">, write: boolean): boolean {
  return write && isActive(task.status);
}

/** Which primary "go on" action the header offers. */
export function continueAction(project: Pick<Project, "status" | "shots" | "access" | "tasks">): "retryFailed" | "makeVideo" | null {
  const p = permissions(project);
  if (!p.canRender) return null;
  if (project.status === "failed") return "retryFailed";
  if (project.status === "draft") return "makeVideo";
  return null;
}

// --- project settings -----------------------------------------------------------------------

export interface SettingsValues {
  style: string;
  aspect: "16:9" | "9:16" | "1:1";
  voice: string;
  voice_rate: number;
  music: string;
  quality: "preview" | "final";
  /** The project's own spending limit (null: none of its own). */
  budget: number | null;
  /** The project's own provider routes (empty: follow the account's). */
  routing: RoutingFields;
}

export function settingsOf(
  project: Pick<Project, "style" | "aspect" | "voice" | "voice_rate" | "music" | "quality"> & Partial<Pick<Project, "budget" | "routing">>,
): SettingsValues {
  return {
    style: project.style,
    aspect: (["16:9", "9:16", "1:1"].includes(project.aspect) ? project.aspect : "16:9") as SettingsValues["aspect"],
    voice: project.voice,
    voice_rate: project.voice_rate,
    music: project.music ?? "none",
    quality: project.quality === "preview" ? "preview" : "final",
    budget: project.budget ?? null,
    routing: routingFields(project.routing),
  };
}

export type SettingsEffect = "pictures" | "voices" | "music";

/** What to send (the changed settings only) and what making them takes again. A cleared budget
 * is sent as null (no limit), routes as a whole (`{}` follows the account's). */
export function settingsChanges(before: SettingsValues, after: SettingsValues): { patch: Schemas["ProjectPatch"]; effects: SettingsEffect[] } {
  const patch: Schemas["ProjectPatch"] = {};
  const effects = new Set<SettingsEffect>();
  if (after.style !== before.style) {
    patch.style = after.style;
    effects.add("pictures");
  }
  if (after.aspect !== before.aspect) {
    patch.aspect = after.aspect;
    effects.add("pictures");
  }
  if (after.voice !== before.voice) {
    patch.voice = after.voice;
    effects.add("voices");
  }
  if (Math.abs(after.voice_rate - before.voice_rate) > 1e-9) {
    patch.voice_rate = after.voice_rate;
    effects.add("voices");
  }
  if (after.music !== before.music) {
    patch.music = after.music;
    effects.add("music");
  }
  if (after.quality !== before.quality) patch.quality = after.quality;
  // Neither makes anything again: they apply to the work still to come.
  const budget = after.budget === undefined || after.budget === null || Number.isNaN(after.budget) ? null : after.budget;
  if (budget !== before.budget) patch.budget = budget;
  const routing = routingPayload(after.routing);
  if (!sameRouting(routing, routingPayload(before.routing))) patch.routing = routing;
  const order: SettingsEffect[] = ["pictures", "voices", "music"];
  return { patch, effects: order.filter((e) => effects.has(e)) };
}

// --- failures in plain words ----------------------------------------------------------------

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

// --- files and numbers ----------------------------------------------------------------------

/** When a signed link stops working (its `expires`, seconds since the epoch), if it says. */
export function urlExpiry(url: string): number | null {
  const match = /[?&]expires=(\d+)/.exec(url);
  return match ? Number(match[1]) : null;
}

/** Signed links change on every read of the project; keeping the first one for an asset
 * (until it is about to expire) spares the browser downloading the same picture again. */
export function stableUrl(cache: Map<string, string>, asset: Pick<Asset, "id" | "url">, nowSeconds: number, marginSeconds = 90): string {
  const kept = cache.get(asset.id);
  if (kept) {
    const expires = urlExpiry(kept);
    if (expires === null || expires - nowSeconds > marginSeconds) return kept;
  }
  cache.set(asset.id, asset.url);
  return asset.url;
}

function isAsset(x: unknown): x is Asset {
  return !!x && typeof x === "object" && typeof (x as Asset).id === "string" && typeof (x as Asset).url === "string" && typeof (x as Asset).mime === "string";
}

/** `next` with every asset that `prev` already had (same id, link not about to expire) taken
 * from `prev`: every read signs the links anew, and without this each read would look like a
 * change to every shot (re-rendering all cards and reloading every picture). */
export function keepAssetLinks(prev: unknown, next: unknown, nowSeconds: number, marginSeconds = 90): unknown {
  if (!prev || !next || typeof prev !== "object" || typeof next !== "object") return next;
  if (isAsset(next)) {
    if (!isAsset(prev) || prev.id !== next.id) return next;
    const expires = urlExpiry(prev.url);
    const fresh = expires === null || expires - nowSeconds > marginSeconds;
    return fresh && prev.size === next.size ? { ...next, url: prev.url } : next;
  }
  if (Array.isArray(next)) {
    if (!Array.isArray(prev)) return next;
    // Shots and characters are matched by id, so a reorder keeps their links too.
    const byId = new Map<unknown, unknown>();
    for (const item of prev) if (item && typeof item === "object" && "id" in item) byId.set((item as { id: unknown }).id, item);
    return next.map((item, i) => {
      const match = item && typeof item === "object" && "id" in item ? byId.get((item as { id: unknown }).id) : prev[i];
      return keepAssetLinks(match, item, nowSeconds, marginSeconds);
    });
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(next)) out[key] = keepAssetLinks((prev as Record<string, unknown>)[key], value, nowSeconds, marginSeconds);
  return out;
}

/** Seconds a shot lasts: its voice once spoken, else the storyboard's hint. */
export function shotSeconds(shot: Pick<Shot, "voice_seconds" | "duration_hint">): number {
  return shot.voice_seconds ?? shot.duration_hint;
}

/** 3_256_238 → "3.1 MB". */
export function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** SubRip subtitles as WebVTT, which `<track>` plays. */
export function srtToVtt(srt: string): string {
  const body = srt
    .replace(/^\uFEFF/, "")
    .replace(/\r\n?/g, "\n")
    .replace(/(\d\d:\d\d:\d\d),(\d\d\d)/g, "$1.$2")
    .trim();
  return `WEBVTT\n\n${body}\n`;
}

/** The advanced picture options as the API takes them: blanks are left out. */
export interface ImageOptions {
  seed?: number | null;
  steps?: number | null;
  guidance?: number | null;
  model?: string | null;
}

export function imageBody(options: ImageOptions): Schemas["ImageIn"] {
  const body: Schemas["ImageIn"] = {};
  if (typeof options.seed === "number" && Number.isFinite(options.seed)) body.seed = Math.round(options.seed);
  if (typeof options.steps === "number" && Number.isFinite(options.steps)) body.steps = Math.round(options.steps);
  if (typeof options.guidance === "number" && Number.isFinite(options.guidance)) body.guidance = options.guidance;
  const model = options.model?.trim();
  if (model) body.model = model;
  return body;
}

/** A fresh random seed (within the server's 0 … 2^31−1). */
export function randomSeed(random: () => number = Math.random): number {
  return Math.floor(random() * 2_147_483_647);
}
