/** The shots' order: drag and drop, move up and down, and a pending reorder over fresher data. */
import { arrayMove } from "@dnd-kit/sortable";
import type { Shot } from "./types";

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
