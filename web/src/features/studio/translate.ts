/** Translation: whether this server can translate (an LLM is configured), and a project
 * translated into a new project. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../../api/client";
import { queryKeys } from "../../api/queries";

export type TranslationCapability = Schemas["TranslationCapability"];
export type TranslateRequest = Schemas["TranslateIn"];

/** The server says whether an LLM is configured and, if not, which settings to set. */
export function useTranslationCapability(enabled: boolean) {
  return useQuery({
    queryKey: ["translation"] as const,
    queryFn: () => unwrap(api.GET("/api/v1/translation")),
    enabled,
    staleTime: 60_000,
  });
}

/** The reason the translate control is disabled, or null when it can be used. */
export function translationBlocked(capability: TranslationCapability | undefined): string | null {
  if (capability === undefined) return null;
  return capability.available ? null : (capability.reason ?? "no language model is configured");
}

export function useTranslateProject(projectId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: TranslateRequest) =>
      unwrap(
        api.POST("/api/v1/projects/{project_id}/translate", {
          params: { path: { project_id: projectId } },
          body,
        }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.projects() }),
  });
}
