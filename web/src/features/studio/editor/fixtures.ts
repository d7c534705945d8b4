/** Test data for the editor's modules: a project payload, shots, tasks and assets as the server
 * sends them, each overridable. */
import type { Asset, Project, Shot, Task, TaskState } from "./types";

export const asset = (id: string, url = `/api/v1/assets/${id}/content?expires=1000&sig=a`): Asset => ({
  id,
  kind: "image",
  mime: "image/png",
  size: 10,
  created_at: "2026-01-01T00:00:00Z",
  url,
});

export const state = (status: string, progress = 0, id = `t-${Math.random()}`): TaskState => ({ id, status, progress, finished_at: null });

export function shot(id: string, over: Partial<Shot> = {}): Shot {
  return {
    id,
    position: 0,
    key: id,
    scene: 1,
    narration: `Narration of ${id}.`,
    original_narration: "",
    visual_prompt: `Prompt of ${id}`,
    negative_prompt: "blurry",
    shot_type: "medium",
    camera_motion: "none",
    characters: [],
    setting: "a forest",
    mood: "calm",
    time_of_day: "dawn",
    duration_hint: 5,
    voice_seconds: null,
    motion: null,
    image: null,
    image_prompt: null,
    voice: null,
    clip: null,
    tasks: {},
    updated_at: "2026-01-01T00:00:00Z",
    ...over,
  };
}

export function project(over: Partial<Project> = {}): Project {
  return {
    id: "p1",
    title: "A story",
    style: "watercolor",
    aspect: "16:9",
    language: "en",
    quality: "final",
    auto: true,
    status: "draft",
    owner_id: "u1",
    access: "write",
    created_at: "2026-01-01T00:00:00Z",
    updated_at: "2026-01-01T00:00:00Z",
    story: "Once.",
    detected_language: "en",
    voice: "auto",
    voice_rate: 1,
    music: "auto",
    target_seconds: null,
    max_shots: 60,
    seed: 0,
    bilingual_subtitles: false,
    storyboard_task_id: null,
    shots: [],
    characters: [],
    latest_render: null,
    tasks: {},
    task_counts: {},
    ...over,
  } as Project;
}

export function task(id: string, over: Partial<Task> = {}): Task {
  return {
    id,
    kind: "image",
    status: "succeeded",
    progress: 100,
    message: "",
    attempts: 1,
    max_attempts: 3,
    priority: 0,
    resource: "gpu",
    project_id: "p1",
    shot_id: null,
    owner_id: "u1",
    params: {},
    result: null,
    error: null,
    timings: { created_at: "2026-01-01T00:00:00Z" },
    ...over,
  };
}
