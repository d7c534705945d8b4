/** Progress per stage and overall, from the project payload alone. */
import { isActive, isBroken } from "./status";
import type { Project, Shot, TaskState } from "./types";

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
