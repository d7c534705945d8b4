/** Shot edits as the studio makes them: optimistic patches (and their rollback), the body of a
 * new shot and of a new picture's options, and a shot's length. */
import type { Schemas } from "../../../api/client";
import { LIMITS, type CameraMotion, type ShotType } from "../../../api/schema-constants.gen";
import { shotEditSteps } from "./feeds";
import type { Project, Shot, ShotPatch } from "./types";

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

/** The shot's tasks with those of `steps` shown as waiting to run again (the server re-runs a
 * step's current task; a step never run has none to show). */
export function staleTasks(tasks: Shot["tasks"], steps: Iterable<string>): Shot["tasks"] {
  let out = tasks;
  for (const step of steps) {
    const task = tasks[step];
    if (!task || task.status === "queued") continue;
    if (out === tasks) out = { ...tasks };
    out[step] = { ...task, status: "queued", progress: 0, finished_at: null };
  }
  return out;
}

/** The optimistic shot for an edit: the fields sent, and the steps they feed waiting to run
 * again (so a new narration shows its voice being recorded at once). */
export function editAsShot(before: Shot, patch: ShotPatch): Partial<Shot> {
  const fields = patchAsShot(patch);
  const tasks = staleTasks(before.tasks, shotEditSteps(before, patch));
  return tasks === before.tasks ? fields : { ...fields, tasks };
}

/** What to put back when the edit is refused: the fields sent and, if the edit showed steps
 * waiting, the tasks as they were. */
export function undoEdit(before: Shot, patch: ShotPatch): Partial<Shot> {
  const fields = undoPatch(before, patch);
  return shotEditSteps(before, patch).size ? { ...fields, tasks: before.tasks } : fields;
}

/** A new shot's body: what the dialog asked for, and the place, mood and time of the shot it
 * follows (so its picture fits in), or the server's defaults for a first shot. */
export function newShotBody(
  fields: { narration: string; visual_prompt: string; shot_type: ShotType; camera_motion: CameraMotion; position: number },
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

/** Seconds a shot lasts: its voice once spoken, else the storyboard's hint. */
export function shotSeconds(shot: Pick<Shot, "voice_seconds" | "duration_hint">): number {
  return shot.voice_seconds ?? shot.duration_hint;
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

/** A fresh random seed (within the server's bounds, 0 … 2^31−1). */
export function randomSeed(random: () => number = Math.random): number {
  return Math.floor(random() * LIMITS.ImageIn.seed.maximum);
}
