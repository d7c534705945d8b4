/** A task's status in two questions: still working, or stopped short. */

const ACTIVE = new Set(["blocked", "queued", "running"]);
const BROKEN = new Set(["failed", "cancelled"]);

export function isActive(status: string | undefined | null): boolean {
  return !!status && ACTIVE.has(status);
}

export function isBroken(status: string | undefined | null): boolean {
  return !!status && BROKEN.has(status);
}
