/** The studio's server calls: the project and what hangs off it, and every edit, with
 * optimistic updates where they make the page feel instant (rolled back on failure). */
import { replaceEqualDeep, useMutation, useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../../api/client";
import { queryKeys } from "../../api/queries";
import type { Quality } from "../../api/schema-constants.gen";
import { POLL_MS } from "../../live/hooks";
import { keepAssetLinks } from "./editor/files";
import { applyOrder, shotIds } from "./editor/order";
import { editAsShot, patchShot, replaceShot, undoEdit } from "./editor/shots";
import type { Character, Project, Shot, ShotPatch, Task } from "./editor/types";

const TASK_PAGE = 200;

/** Whether to poll: the live socket is down and something is still working. */
function pollEvery(poll: boolean): number | false {
  return poll ? POLL_MS : false;
}

export function useProject(projectId: string, connected: boolean) {
  return useQuery({
    queryKey: queryKeys.project(projectId),
    queryFn: () => unwrap(api.GET("/api/v1/projects/{project_id}", { params: { path: { project_id: projectId } } })),
    refetchInterval: (query) => pollEvery(!connected && query.state.data?.status === "running"),
    // Unchanged shots keep their identity (and their cards skip rendering) across reads.
    structuralSharing: (previous: unknown, next: unknown) => replaceEqualDeep(previous, keepAssetLinks(previous, next, Date.now() / 1000)),
  });
}

/** The latest tasks of a project (the server lists oldest first; a long history is read from
 * its last page). */
export function useProjectTasks(projectId: string, poll: boolean) {
  return useQuery({
    queryKey: queryKeys.projectTasks(projectId),
    queryFn: async () => {
      const read = (page: number) =>
        unwrap(
          api.GET("/api/v1/projects/{project_id}/tasks", {
            params: { path: { project_id: projectId }, query: { page, page_size: TASK_PAGE } },
          }),
        );
      const first = await read(1);
      if (first.total <= TASK_PAGE) return { items: first.items, total: first.total };
      const last = await read(Math.ceil(first.total / TASK_PAGE));
      return { items: last.items, total: first.total };
    },
    refetchInterval: pollEvery(poll),
  });
}

export function useRenders(projectId: string, poll: boolean) {
  return useQuery({
    queryKey: queryKeys.renders(projectId),
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/projects/{project_id}/renders", {
          params: { path: { project_id: projectId }, query: { page: 1, page_size: 50 } },
        }),
      ),
    refetchInterval: pollEvery(poll),
  });
}

export type Live = Schemas["LiveOut"];

/** How often to ask whether a running render can be watched yet. */
export const LIVE_POLL_MS = 2_000;

/** Where the render task `taskId` can be watched while it runs. The server answers 404 until
 * the first segment is ready, so this asks every LIVE_POLL_MS until it answers for that task,
 * then never again: the playlist it links grows by itself. Its key is not under the project's,
 * so task events do not ask again; `refetch` gets a fresh signed link (the player's retry). */
export function useLive(projectId: string, taskId: string | null, enabled: boolean) {
  return useQuery({
    queryKey: ["live", projectId, taskId] as const,
    queryFn: () => unwrap(api.GET("/api/v1/projects/{project_id}/live", { params: { path: { project_id: projectId } } })),
    enabled: enabled && taskId !== null,
    retry: false,
    staleTime: Infinity,
    // An earlier render's kept playlist may answer before this task's first segment: ask on.
    refetchInterval: (query) => (query.state.data?.task_id === taskId ? false : LIVE_POLL_MS),
    refetchOnWindowFocus: false,
  });
}

/** What the project has cost and what finishing it would cost. Its key is under the project's,
 * so it is read again whenever the project is (task events, edits); when polling, the studio
 * reads it again as the project's status changes (useFollow). */
export function useProjectCost(projectId: string) {
  return useQuery({
    queryKey: queryKeys.projectCost(projectId),
    queryFn: () => unwrap(api.GET("/api/v1/projects/{project_id}/cost", { params: { path: { project_id: projectId } } })),
  });
}

// --- cache helpers --------------------------------------------------------------------------

function setProject(client: QueryClient, projectId: string, update: (p: Project) => Project): void {
  client.setQueryData<Project>(queryKeys.project(projectId), (p) => (p ? update(p) : p));
}

function getProject(client: QueryClient, projectId: string): Project | undefined {
  return client.getQueryData<Project>(queryKeys.project(projectId));
}

function refresh(client: QueryClient, projectId: string): Promise<void> {
  return client.invalidateQueries({ queryKey: queryKeys.project(projectId) });
}

async function holdProject(client: QueryClient, projectId: string): Promise<void> {
  // A read in flight would put the old value back over the optimistic one.
  await client.cancelQueries({ queryKey: queryKeys.project(projectId), exact: true });
}

// --- project --------------------------------------------------------------------------------

export function useUpdateProject(projectId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: Schemas["ProjectPatch"]) =>
      unwrap(api.PATCH("/api/v1/projects/{project_id}", { params: { path: { project_id: projectId } }, body })),
    onSuccess: (project) => {
      client.setQueryData(queryKeys.project(projectId), project);
      void client.invalidateQueries({ queryKey: queryKeys.projects() });
      // A budget or route changes what is left and what finishing costs.
      void client.invalidateQueries({ queryKey: queryKeys.projectCost(projectId) });
    },
  });
}

export function useRegenerateStoryboard(projectId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () =>
      unwrap(api.POST("/api/v1/projects/{project_id}/storyboard", { params: { path: { project_id: projectId } } })),
    onSettled: () => refresh(client, projectId),
  });
}

export function useDuplicateProject(projectId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (title: string) =>
      unwrap(
        api.POST("/api/v1/projects/{project_id}/duplicate", {
          params: { path: { project_id: projectId } },
          body: { title },
        }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.projects() }),
  });
}

export function useRender(projectId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (quality: Quality) =>
      unwrap(
        api.POST("/api/v1/projects/{project_id}/render", {
          params: { path: { project_id: projectId } },
          body: { quality },
        }),
      ),
    onSettled: () => refresh(client, projectId),
  });
}

// --- shots ----------------------------------------------------------------------------------

export interface ShotPatchVars {
  shotId: string;
  patch: ShotPatch;
}

/** Edit a shot: the change shows at once and is undone (for the fields sent) if refused. */
export function useShotPatch(projectId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ shotId, patch }: ShotPatchVars) =>
      unwrap(
        api.PATCH("/api/v1/projects/{project_id}/shots/{shot_id}", {
          params: { path: { project_id: projectId, shot_id: shotId } },
          body: patch,
        }),
      ),
    onMutate: async ({ shotId, patch }) => {
      await holdProject(client, projectId);
      const before = getProject(client, projectId)?.shots.find((s) => s.id === shotId);
      if (before) setProject(client, projectId, (p) => patchShot(p, shotId, editAsShot(before, patch)));
      return { before };
    },
    onError: (_error, { shotId, patch }, context) => {
      const before = context?.before;
      if (before) setProject(client, projectId, (p) => patchShot(p, shotId, undoEdit(before, patch)));
    },
    onSuccess: (shot) => setProject(client, projectId, (p) => replaceShot(p, shot)),
    onSettled: () => refresh(client, projectId),
  });
}

/** Put the shots in a new order: shown at once, the old order back if refused. */
export function useReorder(projectId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (ids: string[]) =>
      unwrap(
        api.POST("/api/v1/projects/{project_id}/shots/reorder", {
          params: { path: { project_id: projectId } },
          body: { shot_ids: ids },
        }),
      ),
    onMutate: async (ids) => {
      await holdProject(client, projectId);
      const before = getProject(client, projectId);
      setProject(client, projectId, (p) => ({ ...p, shots: applyOrder(p.shots, ids) }));
      return { previous: before ? shotIds(before.shots) : null };
    },
    onError: (_error, _ids, context) => {
      const previous = context?.previous;
      if (previous) setProject(client, projectId, (p) => ({ ...p, shots: applyOrder(p.shots, previous) }));
    },
    onSuccess: (shots: Shot[]) => setProject(client, projectId, (p) => ({ ...p, shots })),
    onSettled: () => refresh(client, projectId),
  });
}

export type NewShot = Schemas["ShotIn"];

export function useAddShot(projectId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: NewShot) =>
      unwrap(api.POST("/api/v1/projects/{project_id}/shots", { params: { path: { project_id: projectId } }, body })),
    onSettled: () => refresh(client, projectId),
  });
}

export function useSplitShot(projectId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ shotId, at }: { shotId: string; at: number }) =>
      unwrap(
        api.POST("/api/v1/projects/{project_id}/shots/{shot_id}/split", {
          params: { path: { project_id: projectId, shot_id: shotId } },
          body: { at },
        }),
      ),
    onSettled: () => refresh(client, projectId),
  });
}

export function useDeleteShot(projectId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (shotId: string) =>
      unwrap(
        api.DELETE("/api/v1/projects/{project_id}/shots/{shot_id}", {
          params: { path: { project_id: projectId, shot_id: shotId } },
        }),
      ),
    onSuccess: (_data, shotId) =>
      setProject(client, projectId, (p) => ({ ...p, shots: applyOrder(p.shots.filter((s) => s.id !== shotId), []) })),
    onSettled: () => refresh(client, projectId),
  });
}

export type ShotStep = "image" | "voice";

export function useRegenerate(projectId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async ({ shotId, steps, image }: { shotId: string; steps: ShotStep[]; image?: Schemas["ImageIn"] }) => {
      const path = { project_id: projectId, shot_id: shotId };
      const out: Task[] = [];
      if (steps.includes("image")) {
        out.push(
          await unwrap(
            api.POST("/api/v1/projects/{project_id}/shots/{shot_id}/image", {
              params: { path },
              body: image && Object.keys(image).length ? image : undefined,
            }),
          ),
        );
      }
      if (steps.includes("voice")) {
        out.push(await unwrap(api.POST("/api/v1/projects/{project_id}/shots/{shot_id}/voice", { params: { path } })));
      }
      return out;
    },
    onSettled: () => refresh(client, projectId),
  });
}

// --- characters -----------------------------------------------------------------------------

export type CharacterFields = { name: string; description: string; color: string };

export function useSaveCharacter(projectId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, fields }: { id: string | null; fields: CharacterFields }): Promise<Character> => {
      if (id === null) {
        return unwrap(
          api.POST("/api/v1/projects/{project_id}/characters", {
            params: { path: { project_id: projectId } },
            body: fields,
          }),
        );
      }
      return unwrap(
        api.PATCH("/api/v1/projects/{project_id}/characters/{character_id}", {
          params: { path: { project_id: projectId, character_id: id } },
          body: fields,
        }),
      );
    },
    onSettled: () => refresh(client, projectId),
  });
}

export function useDeleteCharacter(projectId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      unwrap(
        api.DELETE("/api/v1/projects/{project_id}/characters/{character_id}", {
          params: { path: { project_id: projectId, character_id: id } },
        }),
      ),
    onSettled: () => refresh(client, projectId),
  });
}

export function useUploadReference(projectId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, file }: { id: string; file: File }) => {
      const form = new FormData();
      form.append("file", file);
      return unwrap(
        api.PUT("/api/v1/projects/{project_id}/characters/{character_id}/reference", {
          params: { path: { project_id: projectId, character_id: id } },
          // openapi-fetch sends a FormData body as it is (multipart, with its boundary).
          body: form as unknown as Schemas["Body_upload_character_reference"],
        }),
      );
    },
    onSettled: () => refresh(client, projectId),
  });
}

// --- tasks ----------------------------------------------------------------------------------

export function useTaskAction(projectId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ taskId, action }: { taskId: string; action: "retry" | "cancel" }) =>
      action === "retry"
        ? unwrap(api.POST("/api/v1/tasks/{task_id}/retry", { params: { path: { task_id: taskId } } }))
        : unwrap(api.POST("/api/v1/tasks/{task_id}/cancel", { params: { path: { task_id: taskId } } })),
    onSettled: () => refresh(client, projectId),
  });
}

