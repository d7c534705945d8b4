/** What may be done when: editing, rendering, retrying and cancelling tasks, going on. */
import { isActive, isBroken } from "./status";
import type { Project, Task } from "./types";

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
