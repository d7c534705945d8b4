import type { ReactNode } from "react";
import { useFormat } from "../lib/format";

/** "5 minutes ago", with the exact date and time on hover; `fallback` when there is no date. */
export function RelativeTime({ iso, fallback = "—" }: { iso: string | null | undefined; fallback?: ReactNode }) {
  const f = useFormat();
  if (!iso) return <>{fallback}</>;
  return <span title={f.dateTime(iso)}>{f.relative(iso)}</span>;
}
