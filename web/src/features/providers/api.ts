/** The providers' server calls: the catalog, the account's routes and its own provider keys. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../../api/client";
import { queryKeys } from "../../api/queries";
import type { RoutingIn } from "./routing";

export type ProviderKey = Schemas["ProviderKeyOut"];
export type KeySlot = Schemas["KeySlotOut"];

/** What providers the server has (changes with its configuration only). */
export function useProviderCatalog(enabled = true) {
  return useQuery({
    queryKey: queryKeys.providers(),
    queryFn: () => unwrap(api.GET("/api/v1/providers")),
    staleTime: 60_000,
    enabled,
  });
}

export function useMyRouting(enabled = true) {
  return useQuery({
    queryKey: queryKeys.myRouting(),
    queryFn: () => unwrap(api.GET("/api/v1/me/routing")),
    enabled,
  });
}

export function useSetMyRouting() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: RoutingIn) => unwrap(api.PUT("/api/v1/me/routing", { body })),
    onSuccess: (routing) => {
      client.setQueryData(queryKeys.myRouting(), routing);
      // Every project's estimate follows the account's routes.
      void client.invalidateQueries({ predicate: (q) => q.queryKey[0] === "project" && q.queryKey[2] === "cost" });
    },
  });
}

export function useProviderKeys() {
  return useQuery({
    queryKey: queryKeys.providerKeys(),
    queryFn: () => unwrap(api.GET("/api/v1/me/provider-keys")),
  });
}

export function useSetProviderKey() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ slot, apiKey }: { slot: string; apiKey: string }) =>
      unwrap(api.PUT("/api/v1/me/provider-keys/{slot}", { params: { path: { slot } }, body: { api_key: apiKey } })),
    onSuccess: () => void client.invalidateQueries({ queryKey: queryKeys.providerKeys() }),
  });
}

export function useDeleteProviderKey() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (slot: string) => unwrap(api.DELETE("/api/v1/me/provider-keys/{slot}", { params: { path: { slot } } })).then(() => slot),
    onSettled: () => void client.invalidateQueries({ queryKey: queryKeys.providerKeys() }),
  });
}
