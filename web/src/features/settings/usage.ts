import { useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import { queryKeys } from "../../api/queries";

/** How many days of history the profile's usage card shows. */
export const USAGE_DAYS = 7;

/** Your own usage over the last `days` UTC days, with the effective quotas. */
export function useMyUsage(days: number) {
  return useQuery({
    queryKey: [...queryKeys.usage(), { days }],
    queryFn: () => unwrap(api.GET("/api/v1/usage", { params: { query: { days } } })),
    staleTime: 15_000,
    refetchInterval: 60_000,
  });
}
