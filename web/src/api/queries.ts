/** Query keys and the shared queries (TanStack Query on top of the generated client). */
import { useQuery } from "@tanstack/react-query";
import { api, unwrap } from "./client";

export const queryKeys = {
  me: () => ["me"] as const,
  usage: () => ["usage"] as const,
  projects: () => ["projects"] as const,
  projectList: (params: object) => ["projects", "list", params] as const,
  project: (id: string) => ["project", id] as const,
  projectTasks: (id: string) => ["project", id, "tasks"] as const,
  renders: (id: string) => ["project", id, "renders"] as const,
  catalog: (what: string) => ["catalog", what] as const,
  apiKeys: () => ["api-keys"] as const,
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
