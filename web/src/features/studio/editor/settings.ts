/** The project settings form: its values from the project, and what saving them sends and makes
 * again. */
import type { Schemas } from "../../../api/client";
import { ASPECTS, type Aspect, type Quality } from "../../../api/schema-constants.gen";
import { routingFields, routingPayload, sameRouting, type RoutingFields } from "../../providers/routing";
import { PROJECT_FEEDS, stepsFed, type Step } from "./feeds";
import type { Project } from "./types";

export interface SettingsValues {
  style: string;
  aspect: Aspect;
  voice: string;
  voice_rate: number;
  music: string;
  quality: Quality;
  /** Each shot's original narration as a second subtitle line (a translated project's). */
  bilingual_subtitles: boolean;
  /** The project's own spending limit (null: none of its own). */
  budget: number | null;
  /** The project's own provider routes (empty: follow the account's). */
  routing: RoutingFields;
}

export function settingsOf(
  project: Pick<Project, "style" | "aspect" | "voice" | "voice_rate" | "music" | "quality"> &
    Partial<Pick<Project, "budget" | "routing" | "bilingual_subtitles">>,
): SettingsValues {
  return {
    style: project.style,
    aspect: (ASPECTS as readonly string[]).includes(project.aspect) ? (project.aspect as Aspect) : "16:9",
    voice: project.voice,
    voice_rate: project.voice_rate,
    music: project.music ?? "none",
    quality: project.quality === "preview" ? "preview" : "final",
    bilingual_subtitles: project.bilingual_subtitles ?? false,
    budget: project.budget ?? null,
    routing: routingFields(project.routing),
  };
}

export type SettingsEffect = "pictures" | "voices" | "music" | "video";

/** How the settings drawer names what a step makes again for the whole project (`video`: only
 * the render, e.g. its subtitles). */
const EFFECTS: [Step, SettingsEffect][] = [
  ["image", "pictures"],
  ["voice", "voices"],
  ["music", "music"],
  ["render", "video"],
];

/** Whether the project's shots keep the narration they were translated from: only then do
 * bilingual subtitles have a second language to show (or, once on, may be turned off). */
export function offersBilingual(project: Pick<Project, "shots"> & Partial<Pick<Project, "bilingual_subtitles">>): boolean {
  return Boolean(project.bilingual_subtitles) || project.shots.some((s) => (s.original_narration ?? "").trim() !== "");
}

/** What to send (the changed settings only) and what making them takes again (by the server's
 * table, `PROJECT_FEEDS`). A cleared budget is sent as null (no limit), routes as a whole (`{}`
 * follows the account's). */
export function settingsChanges(before: SettingsValues, after: SettingsValues): { patch: Schemas["ProjectPatch"]; effects: SettingsEffect[] } {
  const patch: Schemas["ProjectPatch"] = {};
  if (after.style !== before.style) patch.style = after.style;
  if (after.aspect !== before.aspect) patch.aspect = after.aspect;
  if (after.voice !== before.voice) patch.voice = after.voice;
  if (Math.abs(after.voice_rate - before.voice_rate) > 1e-9) patch.voice_rate = after.voice_rate;
  if (after.music !== before.music) patch.music = after.music;
  if (after.quality !== before.quality) patch.quality = after.quality;
  if (Boolean(after.bilingual_subtitles) !== before.bilingual_subtitles) patch.bilingual_subtitles = Boolean(after.bilingual_subtitles);
  // Budget and routes feed no step: they apply to the work still to come.
  const budget = after.budget === undefined || after.budget === null || Number.isNaN(after.budget) ? null : after.budget;
  if (budget !== before.budget) patch.budget = budget;
  const routing = routingPayload(after.routing);
  if (!sameRouting(routing, routingPayload(before.routing))) patch.routing = routing;
  const steps = stepsFed(PROJECT_FEEDS, Object.keys(patch));
  return { patch, effects: EFFECTS.filter(([step]) => steps.has(step)).map(([, effect]) => effect) };
}
