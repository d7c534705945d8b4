import { useSyncExternalStore } from "react";
import { session } from "./session";

/** Whether a session exists; re-renders on sign-in and sign-out. */
export function useSignedIn(): boolean {
  return useSyncExternalStore(
    (cb) => session.subscribe(cb),
    () => session.signedIn,
  );
}
