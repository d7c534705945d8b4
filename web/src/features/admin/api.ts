import { useQuery } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../../api/client";
import { queryKeys } from "../../api/queries";

export type AdminUser = Schemas["AdminUserOut"];
export type QuotaLimits = Schemas["QuotaLimits"];

/** The quota overrides an administrator can set per user (settings.QuotaLimits). */
export const QUOTA_FIELDS = [
  "images_per_day",
  "videos_per_day",
  "render_seconds_per_day",
  "max_duration_s",
  "max_resolution",
  "cost_per_day",
  "cost_per_project",
] as const;
export type QuotaField = (typeof QUOTA_FIELDS)[number];

/** The server's default plans (storyreel/settings.py); the API does not list the configured
 * plans, so the plan picker offers these and every plan seen on a user, and accepts any name
 * (the server answers an unknown one with the valid list). */
export const DEFAULT_PLANS = ["guest", "free", "pro"];

export function useUserUsage(userId: string | null, days: number) {
  return useQuery({
    queryKey: queryKeys.admin("usage", { userId, days }),
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/admin/users/{user_id}/usage", {
          params: { path: { user_id: userId ?? "" }, query: { days } },
        }),
      ),
    enabled: userId !== null,
  });
}

export function overrideCount(user: AdminUser): number {
  return Object.values(user.quotas ?? {}).filter((v) => v !== null && v !== undefined).length;
}
