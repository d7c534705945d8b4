// Generated from openapi.json by scripts/gen-schema-constants.mjs (`npm run client`): never edit by hand.

/** A step of the pipeline that an edit can make again. */
export type Step = "image" | "motion" | "music" | "render" | "voice";

/** Which step each editable field feeds (`x-feeds` in the document): the step an edit of it makes
 * again for the shot, for every shot (project settings) or for the shots naming the character;
 * null: none. */
export const SHOT_FEEDS = {
  camera_motion: "motion",
  characters: "image",
  duration_hint: null,
  mood: "image",
  narration: "voice",
  negative_prompt: "image",
  scene: "render",
  setting: "image",
  shot_type: "image",
  time_of_day: "image",
  visual_prompt: "image",
} as const satisfies Record<string, Step | null>;

export const PROJECT_FEEDS = {
  aspect: "image",
  bilingual_subtitles: "render",
  music: "music",
  quality: null,
  style: "image",
  target_seconds: null,
  title: null,
  voice: "voice",
  voice_rate: "voice",
} as const satisfies Record<string, Step | null>;

export const CHARACTER_FEEDS = {
  color: "image",
  description: "image",
  name: "image",
} as const satisfies Record<string, Step | null>;

/** A shot's framing. (ShotPatch.shot_type) */
export const SHOT_TYPES = ["wide", "medium", "close_up"] as const;
export type ShotType = (typeof SHOT_TYPES)[number];

/** A shot's camera move. (ShotPatch.camera_motion) */
export const CAMERA_MOTIONS = ["none", "zoom_in", "zoom_out", "pan_left", "pan_right", "pan_up", "pan_down"] as const;
export type CameraMotion = (typeof CAMERA_MOTIONS)[number];

/** A project's frame shape. (ProjectPatch.aspect) */
export const ASPECTS = ["16:9", "9:16", "1:1"] as const;
export type Aspect = (typeof ASPECTS)[number];

/** A render's quality. (ProjectPatch.quality) */
export const QUALITIES = ["final", "preview"] as const;
export type Quality = (typeof QUALITIES)[number];

/** The server's bounds on each request body's fields (`maxLength` counts Unicode code points). */
export const LIMITS = {
  ShotIn: {
    characters: { maxItems: 50 },
    duration_hint: { maximum: 60, exclusiveMinimum: 0 },
    mood: { maxLength: 100 },
    narration: { minLength: 1, maxLength: 2000 },
    negative_prompt: { maxLength: 2000 },
    position: { minimum: 0, maximum: 100000 },
    scene: { minimum: 0, maximum: 100000 },
    setting: { maxLength: 500 },
    time_of_day: { maxLength: 50 },
    visual_prompt: { minLength: 1, maxLength: 4000 },
  },
  ShotPatch: {
    characters: { maxItems: 50 },
    duration_hint: { maximum: 60, exclusiveMinimum: 0 },
    mood: { maxLength: 100 },
    narration: { minLength: 1, maxLength: 2000 },
    negative_prompt: { maxLength: 2000 },
    position: { minimum: 0, maximum: 100000 },
    scene: { minimum: 0, maximum: 100000 },
    setting: { maxLength: 500 },
    time_of_day: { maxLength: 50 },
    visual_prompt: { minLength: 1, maxLength: 4000 },
  },
  ProjectIn: {
    max_shots: { minimum: 1, maximum: 500 },
    music: { maxLength: 64 },
    seed: { minimum: 0, maximum: 2147483647 },
    style: { maxLength: 64 },
    target_seconds: { maximum: 86400, exclusiveMinimum: 0 },
    title: { minLength: 1, maxLength: 200 },
    voice_rate: { minimum: 0.25, maximum: 4 },
  },
  ProjectPatch: {
    budget: { minimum: 0, maximum: 1000000 },
    music: { maxLength: 64 },
    style: { maxLength: 64 },
    target_seconds: { maximum: 86400, exclusiveMinimum: 0 },
    title: { minLength: 1, maxLength: 200 },
    voice_rate: { minimum: 0.25, maximum: 4 },
  },
  CharacterIn: {
    description: { maxLength: 1000 },
    name: { minLength: 1, maxLength: 100 },
  },
  CharacterPatch: {
    description: { maxLength: 1000 },
    name: { minLength: 1, maxLength: 100 },
  },
  ImageIn: {
    guidance: { minimum: 0, maximum: 50 },
    height: { minimum: 64, maximum: 4096 },
    model: { minLength: 1, maxLength: 200 },
    provider: { maxLength: 64 },
    seed: { minimum: 0, maximum: 2147483647 },
    steps: { minimum: 1, maximum: 500 },
    width: { minimum: 64, maximum: 4096 },
  },
} as const;
