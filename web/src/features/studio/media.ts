/** Signed links that stay the same for an asset while they are valid (see `stableUrl`). */
import { stableUrl } from "./editor/files";
import type { Asset } from "./editor/types";

const cache = new Map<string, string>();

export function assetUrl(asset: Pick<Asset, "id" | "url">): string {
  return stableUrl(cache, asset, Date.now() / 1000);
}

/** Forget a link that stopped working, so the next read's fresh one is used. */
export function forgetAsset(id: string): void {
  cache.delete(id);
}
