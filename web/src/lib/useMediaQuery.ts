import { useSyncExternalStore } from "react";

/** Phone width: the studio's touch layout (bottom actions, 44-px tap targets) applies up to
 * here; studio.css uses the same width. */
export const PHONE_QUERY = "(max-width: 600px)";

/** Whether the CSS media query matches now, following changes. */
export function useMediaQuery(query: string): boolean {
  return useSyncExternalStore(
    (listener) => {
      const list = window.matchMedia(query);
      list.addEventListener("change", listener);
      return () => list.removeEventListener("change", listener);
    },
    () => window.matchMedia(query).matches,
  );
}
