/** React hooks over the live socket: follow a project, and know whether to poll instead. */
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { liveSocket, type TaskEvent } from "./socket";
import { queryKeys } from "../api/queries";

/** Whether live events are flowing; when not, views poll (every `POLL_MS`) while work runs. */
export function useLiveConnected(): boolean {
  const socket = liveSocket();
  const [connected, setConnected] = useState(socket.connected);
  useEffect(() => socket.onStatus(setConnected), [socket]);
  return connected;
}

export const POLL_MS = 2_500;

/** Follow a project's task events: each refreshes the project's data (coalesced to one
 * refetch per animation-ish tick), and `onEvent` sees them as they come. */
export function useProjectEvents(projectId: string | undefined, onEvent?: (e: TaskEvent) => void): void {
  const client = useQueryClient();
  const handler = useRef(onEvent);
  useEffect(() => {
    handler.current = onEvent;
  }, [onEvent]);
  useEffect(() => {
    if (!projectId) return;
    let pending: ReturnType<typeof setTimeout> | null = null;
    const refresh = () => {
      if (pending) return;
      pending = setTimeout(() => {
        pending = null;
        void client.invalidateQueries({ queryKey: queryKeys.project(projectId) });
        void client.invalidateQueries({ queryKey: queryKeys.projects() });
        void client.invalidateQueries({ queryKey: queryKeys.usage() });
      }, 150);
    };
    const unsubscribe = liveSocket().subscribe(
      projectId,
      (event) => {
        handler.current?.(event);
        refresh();
      },
      refresh,
    );
    return () => {
      if (pending) clearTimeout(pending);
      unsubscribe();
    };
  }, [client, projectId]);
}
