/** Registers the studio's service worker (built by vite-plugin-pwa with `registerType: "prompt"`)
 * and offers a new version once its worker is installed and waiting; Reload hands control to it
 * and reloads the page. An open studio also looks for a new version every hour. */
import { useCallback } from "react";
import { useRegisterSW } from "virtual:pwa-register/react";
import { UpdateNotice } from "./UpdateNotice";

const CHECK_EVERY_MS = 60 * 60 * 1000;

export function UpdatePrompt() {
  const {
    needRefresh: [needRefresh, setNeedRefresh],
    updateServiceWorker,
  } = useRegisterSW({
    onRegisteredSW(_url, registration) {
      if (registration) setInterval(() => void registration.update().catch(() => undefined), CHECK_EVERY_MS);
    },
    onRegisterError(error: unknown) {
      // The studio works without its worker (online only); say why it is not installable.
      console.warn("storyreel: the service worker could not be registered", error);
    },
  });
  const reload = useCallback(() => void updateServiceWorker(true), [updateServiceWorker]);
  const later = useCallback(() => setNeedRefresh(false), [setNeedRefresh]);
  return <UpdateNotice open={needRefresh} onReload={reload} onLater={later} />;
}
