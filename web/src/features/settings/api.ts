/** The settings pages' server calls: webhooks (shared by the webhooks tab, its form and the
 * deliveries drawer) and your own usage (the profile tab). */
import { useQuery } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../../api/client";
import { queryKeys } from "../../api/queries";
import type { TFunction } from "../../i18n";

export type Webhook = Schemas["WebhookOut"];
export type Delivery = Schemas["DeliveryOut"];
export type DeliveryStatus = Delivery["status"];

export const ALL_EVENTS = "*";
export const WEBHOOKS_PAGE = 50; // the server allows 20 per account: one page holds them all

export const webhookKeys = {
  list: () => [...queryKeys.webhooks(), "list"] as const,
  deliveries: (id: string, params?: object) => [...queryKeys.webhooks(), id, "deliveries", params ?? {}] as const,
  delivery: (id: string, deliveryId: string) => [...queryKeys.webhooks(), id, "delivery", deliveryId] as const,
  eventTypes: () => queryKeys.catalog("webhook-event-types"),
};

export function useWebhooks() {
  return useQuery({
    queryKey: webhookKeys.list(),
    queryFn: () => unwrap(api.GET("/api/v1/webhooks", { params: { query: { page_size: WEBHOOKS_PAGE } } })),
  });
}

export function useEventTypes() {
  return useQuery({
    queryKey: webhookKeys.eventTypes(),
    queryFn: () => unwrap(api.GET("/api/v1/webhooks/event-types")),
    staleTime: Infinity,
  });
}

/** A delivery with its payload; polled while its outcome is not known yet. */
export function useDelivery(webhookId: string, deliveryId: string | null, poll = false) {
  return useQuery({
    queryKey: webhookKeys.delivery(webhookId, deliveryId ?? ""),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/webhooks/{webhook_id}/deliveries/{delivery_id}", {
          params: { path: { webhook_id: webhookId, delivery_id: deliveryId ?? "" } },
          signal,
        }),
      ),
    enabled: deliveryId !== null,
    // Every second until an attempt ends; then, while retries are due, often when the next
    // one is near and rarely when it is far off (the backoff grows to hours).
    refetchInterval: (query) => {
      const d = query.state.data;
      if (!poll || !d || d.status === "succeeded" || d.status === "failed") return false;
      if (!settled(d)) return 1_000;
      const due = d.next_attempt_at ? new Date(d.next_attempt_at).getTime() - Date.now() : 0;
      return due < 60_000 ? 3_000 : 30_000;
    },
  });
}

/** Whether a delivery's latest attempt has ended (succeeded, failed for good, or failed and
 * waiting for a retry). */
export function settled(d: Delivery): boolean {
  return d.status === "succeeded" || d.status === "failed" || (d.status === "pending" && d.attempts > 0);
}

export function eventLabel(t: TFunction, type: string): string {
  switch (type) {
    case ALL_EVENTS:
      return t("settings.eventAll");
    case "task.succeeded":
      return t("settings.eventTaskSucceeded");
    case "task.failed":
      return t("settings.eventTaskFailed");
    case "task.cancelled":
      return t("settings.eventTaskCancelled");
    case "render.succeeded":
      return t("settings.eventRenderSucceeded");
    case "render.failed":
      return t("settings.eventRenderFailed");
    case "project.storyboard_ready":
      return t("settings.eventStoryboardReady");
    case "ping":
      return t("settings.eventPing");
    default:
      return type;
  }
}

export const STATUS_BADGES: Record<DeliveryStatus, "warning" | "processing" | "success" | "error"> = {
  pending: "warning",
  delivering: "processing",
  succeeded: "success",
  failed: "error",
};

export function statusLabel(t: TFunction, status: DeliveryStatus): string {
  switch (status) {
    case "pending":
      return t("settings.deliveryPending");
    case "delivering":
      return t("settings.deliveryDelivering");
    case "succeeded":
      return t("settings.deliverySucceeded");
    case "failed":
      return t("settings.deliveryFailed");
  }
}

// --- your usage ---------------------------------------------------------------------------

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
