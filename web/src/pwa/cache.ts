/** What the studio's service worker keeps for offline use beyond the app shell, shared by the
 * build (vite.config.ts writes it into the worker) and the app (which empties it on sign-out). */

/** The Cache Storage cache that holds the catalogs. */
export const CATALOG_CACHE = "storyreel-catalogs";

/** The catalogs the studio reads (`GET /api/v1/styles`, `/voices`, `/music-moods`): the same for
 * every account (the server asks for a sign-in, but nothing in them is the user's), so they are
 * kept and revalidated in the background. Nothing else under `/api/` is ever cached: a voice's
 * spoken sample, projects, assets and downloads go to the network, untouched by the worker.
 * Matched against the request's full URL. */
export const CATALOG_URL = /^https?:\/\/[^/]+\/api\/v1\/(?:styles|voices|music-moods)(?:\?[^#]*)?$/;

/** Navigations the app shell (index.html) must never answer: the server's own pages, the API
 * (downloads and signed asset links are navigations too) and its live socket. */
export const SERVER_PATHS = [/^\/api\//, /^\/docs/, /^\/redoc/, /^\/openapi\.json/, /^\/healthz/, /^\/readyz/, /^\/metrics/, /^\/ws/];

/** Forget the catalogs kept for offline use (a signed-out browser keeps nothing of the API). */
export async function forgetCachedCatalogs(): Promise<void> {
  if (typeof caches === "undefined") return;
  await caches.delete(CATALOG_CACHE);
}
