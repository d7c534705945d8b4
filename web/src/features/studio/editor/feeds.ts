/** Which steps an edit makes again, read from the server's one table (`x-feeds` in its OpenAPI
 * document, generated into `api/schema-constants.gen.ts`): never a hand-kept copy. */
import { CHARACTER_FEEDS, PROJECT_FEEDS, SHOT_FEEDS, type Step } from "../../../api/schema-constants.gen";
import type { Shot, ShotPatch } from "./types";

export type FeedsTable = Readonly<Record<string, Step | null>>;
export { CHARACTER_FEEDS, PROJECT_FEEDS, SHOT_FEEDS, type Step };

/** The steps that changes to `fields` make again, by `table` (fields it does not name feed none). */
export function stepsFed(table: FeedsTable, fields: Iterable<string>): Set<Step> {
  const steps = new Set<Step>();
  for (const field of fields) {
    const step = Object.hasOwn(table, field) ? table[field] : null;
    if (step) steps.add(step);
  }
  return steps;
}

function same(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => x === b[i]);
  return a === b;
}

/** The fields of `patch` whose value differs from the shot's: the server makes again only what a
 * real change feeds. */
export function changedFields(before: Shot, patch: ShotPatch): string[] {
  const shot = before as unknown as Record<string, unknown>;
  return Object.entries(patch)
    .filter(([key, value]) => value !== null && value !== undefined && !same(shot[key], value))
    .map(([key]) => key);
}

/** The steps that editing `before` with `patch` makes again. */
export function shotEditSteps(before: Shot, patch: ShotPatch): Set<Step> {
  return stepsFed(SHOT_FEEDS, changedFields(before, patch));
}
