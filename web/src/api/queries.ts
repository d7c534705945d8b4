/** Query keys and the shared queries (TanStack Query on top of the generated client). */
import { useQuery } from "@tanstack/react-query";
import { api, unwrap } from "./client";

export const queryKeys = {
  me: () => ["me"] as const,
  usage: () => ["usage"] as const,
  projects: () => ["projects"] as const,
  projectLists: () => ["projects", "list"] as const,
  projectList: (params: object) => ["projects", "list", params] as const,
  project: (id: string) => ["project", id] as const,
  projectTasks: (id: string) => ["project", id, "tasks"] as const,
  renders: (id: string) => ["project", id, "renders"] as const,
  /** Under the project's key: whatever refreshes the project (task events, edits) refreshes it. */
  projectCost: (id: string) => ["project", id, "cost"] as const,
  task: (id: string) => ["task", id] as const,
  /** A render's subtitles as WebVTT, by the SRT asset's id. */
  captions: (srtId: string) => ["captions", srtId] as const,
  catalog: (what: string) => ["catalog", what] as const,
  apiKeys: () => ["api-keys"] as const,
  providers: () => ["providers"] as const,
  myRouting: () => ["routing"] as const,
  providerKeys: () => ["provider-keys"] as const,
  webhooks: () => ["webhooks"] as const,
  admin: (what: string, params?: object) => ["admin", what, params ?? {}] as const,
};

export function useMe(enabled = true) {
  return useQuery({
    queryKey: queryKeys.me(),
    queryFn: () => unwrap(api.GET("/api/v1/auth/me")),
    enabled,
    staleTime: 60_000,
  });
}

export function useUsage() {
  return useQuery({
    queryKey: queryKeys.usage(),
    queryFn: () => unwrap(api.GET("/api/v1/usage")),
    staleTime: 15_000,
  });
}

// The catalogs a project is made with (style presets, voices, music moods) change only with a
// server release: read once, then kept a while. The service worker keeps them too
// (src/pwa/cache.ts), so they are asked for even offline ("offlineFirst"), where its copy answers.
const CATALOG_STALE_MS = 10 * 60_000;
const CATALOG_NETWORK_MODE = "offlineFirst";

export function useStyles() {
  return useQuery({
    queryKey: queryKeys.catalog("styles"),
    queryFn: () => unwrap(api.GET("/api/v1/styles")),
    staleTime: CATALOG_STALE_MS,
    networkMode: CATALOG_NETWORK_MODE,
  });
}

/** `enabled`: false until the voices are needed (a closed dialog). */
export function useVoices(enabled = true) {
  return useQuery({
    queryKey: queryKeys.catalog("voices"),
    queryFn: () => unwrap(api.GET("/api/v1/voices")),
    staleTime: CATALOG_STALE_MS,
    networkMode: CATALOG_NETWORK_MODE,
    enabled,
  });
}

export function useMusicMoods(enabled = true) {
  return useQuery({
    queryKey: queryKeys.catalog("music-moods"),
    queryFn: () => unwrap(api.GET("/api/v1/music-moods")),
    staleTime: CATALOG_STALE_MS,
    networkMode: CATALOG_NETWORK_MODE,
    enabled,
  });
}
