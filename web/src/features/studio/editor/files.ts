/** Files: signed links kept across reads, sizes, subtitles. */
import type { Asset } from "./types";

/** When a signed link stops working (its `expires`, seconds since the epoch), if it says. */
export function urlExpiry(url: string): number | null {
  const match = /[?&]expires=(\d+)/.exec(url);
  return match ? Number(match[1]) : null;
}

/** Signed links change on every read of the project; keeping the first one for an asset
 * (until it is about to expire) spares the browser downloading the same picture again. */
export function stableUrl(cache: Map<string, string>, asset: Pick<Asset, "id" | "url">, nowSeconds: number, marginSeconds = 90): string {
  const kept = cache.get(asset.id);
  if (kept) {
    const expires = urlExpiry(kept);
    if (expires === null || expires - nowSeconds > marginSeconds) return kept;
  }
  cache.set(asset.id, asset.url);
  return asset.url;
}

function isAsset(x: unknown): x is Asset {
  return !!x && typeof x === "object" && typeof (x as Asset).id === "string" && typeof (x as Asset).url === "string" && typeof (x as Asset).mime === "string";
}

/** `next` with every asset that `prev` already had (same id, link not about to expire) taken
 * from `prev`: every read signs the links anew, and without this each read would look like a
 * change to every shot (re-rendering all cards and reloading every picture). */
export function keepAssetLinks(prev: unknown, next: unknown, nowSeconds: number, marginSeconds = 90): unknown {
  if (!prev || !next || typeof prev !== "object" || typeof next !== "object") return next;
  if (isAsset(next)) {
    if (!isAsset(prev) || prev.id !== next.id) return next;
    const expires = urlExpiry(prev.url);
    const fresh = expires === null || expires - nowSeconds > marginSeconds;
    return fresh && prev.size === next.size ? { ...next, url: prev.url } : next;
  }
  if (Array.isArray(next)) {
    if (!Array.isArray(prev)) return next;
    // Shots and characters are matched by id, so a reorder keeps their links too.
    const byId = new Map<unknown, unknown>();
    for (const item of prev) if (item && typeof item === "object" && "id" in item) byId.set((item as { id: unknown }).id, item);
    return next.map((item, i) => {
      const match = item && typeof item === "object" && "id" in item ? byId.get((item as { id: unknown }).id) : prev[i];
      return keepAssetLinks(match, item, nowSeconds, marginSeconds);
    });
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(next)) out[key] = keepAssetLinks((prev as Record<string, unknown>)[key], value, nowSeconds, marginSeconds);
  return out;
}

/** 3_256_238 → "3.1 MB". */
export function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** SubRip subtitles as WebVTT, which `<track>` plays. */
export function srtToVtt(srt: string): string {
  const body = srt
    .replace(/^\uFEFF/, "")
    .replace(/\r\n?/g, "\n")
    .replace(/(\d\d:\d\d:\d\d),(\d\d\d)/g, "$1.$2")
    .trim();
  return `WEBVTT\n\n${body}\n`;
}
