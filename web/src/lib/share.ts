/** The Web Share API, where the browser has it (phones, and desktop browsers on some systems). */

type Sharing = Pick<Navigator, "share">;

/** Whether this browser can open the system's share sheet. */
export function canShare(nav: Partial<Sharing> | undefined = globalThis.navigator): nav is Sharing {
  return typeof nav?.share === "function";
}

/** Open the share sheet; "cancelled" when the person closed it without sharing. Other failures
 * (not allowed here, the data refused) are thrown. */
export async function share(nav: Sharing, data: ShareData): Promise<"shared" | "cancelled"> {
  try {
    await nav.share(data);
    return "shared";
  } catch (e) {
    if (e instanceof DOMException && e.name === "AbortError") return "cancelled";
    throw e;
  }
}
