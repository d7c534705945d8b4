import { ReloadOutlined, SendOutlined } from "@ant-design/icons";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, App, Badge, Button, Card, Descriptions, Drawer, Empty, Flex, Grid, Pagination, Select, Skeleton, Table, Typography } from "antd";
import { useState } from "react";
import { api, errorMessage, unwrap } from "../../api/client";
import { queryKeys } from "../../api/queries";
import { useT } from "../../i18n";
import { useFormat } from "../../lib/format";
import { QueryError } from "../../components/QueryError";
import { RelativeTime } from "../../components/RelativeTime";
import { ScrollRegion } from "../../components/ScrollRegion";
import { useDrawerSize } from "../../lib/useDrawerSize";
import { useLast } from "../../lib/useLast";
import {
  STATUS_BADGES,
  eventLabel,
  statusLabel,
  useDelivery,
  webhookKeys,
  type Delivery,
  type DeliveryStatus,
  type Webhook,
} from "./api";

const PAGE_SIZE = 20;
const REFRESH_MS = 5_000;
const STATUSES: DeliveryStatus[] = ["pending", "delivering", "succeeded", "failed"];

export function DeliveryStatusTag({ delivery }: { delivery: Delivery }) {
  const t = useT();
  return <Badge status={STATUS_BADGES[delivery.status]} text={statusLabel(t, delivery.status)} />;
}

function useRedeliver(webhook: Webhook) {
  const t = useT();
  const { message } = App.useApp();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (deliveryId: string) =>
      unwrap(
        api.POST("/api/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver", {
          params: { path: { webhook_id: webhook.id, delivery_id: deliveryId } },
        }),
      ),
    onSuccess: () => {
      void message.success(t("settings.redeliverQueued"));
      void client.invalidateQueries({ queryKey: [...queryKeys.webhooks(), webhook.id] });
    },
    onError: (e) => void message.error(errorMessage(e)),
  });
}

function DeliveryDetailDrawer({
  webhook,
  deliveryId,
  onClose,
}: {
  webhook: Webhook;
  deliveryId: string | null;
  onClose: () => void;
}) {
  const t = useT();
  const f = useFormat();
  const drawerSize = useDrawerSize(560);
  const shownId = useLast(deliveryId);
  // Polled while open only: the closing drawer keeps showing the last delivery, unpolled.
  const detail = useDelivery(webhook.id, shownId, deliveryId !== null);
  const redeliver = useRedeliver(webhook);
  const d = detail.data;
  return (
    <Drawer
      open={deliveryId !== null}
      onClose={onClose}
      title={t("settings.deliveryTitle")}
      size={drawerSize}
      data-testid="delivery-detail"
      extra={
        d && d.status !== "delivering" ? (
          <Button
            icon={<SendOutlined />}
            loading={redeliver.isPending}
            onClick={() => redeliver.mutate(d.id)}
            data-testid="delivery-redeliver"
          >
            {t("settings.redeliver")}
          </Button>
        ) : null
      }
    >
      {detail.isPending ? (
        <Skeleton active paragraph={{ rows: 8 }} />
      ) : detail.isError ? (
        <QueryError error={detail.error} onRetry={() => void detail.refetch()} />
      ) : d ? (
        <Flex vertical gap={16}>
          <Descriptions column={1} size="small" bordered>
            <Descriptions.Item label={t("settings.deliveryStatus")}>
              <DeliveryStatusTag delivery={d} />
            </Descriptions.Item>
            <Descriptions.Item label={t("settings.deliveryEvent")}>
              {eventLabel(t, d.event_type)} <Typography.Text code>{d.event_type}</Typography.Text>
            </Descriptions.Item>
            <Descriptions.Item label={t("settings.deliveryAttempts")}>{d.attempts}</Descriptions.Item>
            <Descriptions.Item label={t("settings.deliveryCode")}>{d.last_status_code ?? "—"}</Descriptions.Item>
            {d.last_error && (
              <Descriptions.Item label={t("settings.deliveryError")}>
                <Typography.Text type="danger" style={{ wordBreak: "break-word" }}>
                  {d.last_error}
                </Typography.Text>
              </Descriptions.Item>
            )}
            <Descriptions.Item label={t("settings.deliveryCreated")}>{f.dateTime(d.created_at)}</Descriptions.Item>
            {d.delivered_at && (
              <Descriptions.Item label={t("settings.deliveryDelivered")}>{f.dateTime(d.delivered_at)}</Descriptions.Item>
            )}
            {d.status === "pending" && d.next_attempt_at && (
              <Descriptions.Item label={t("settings.deliveryNext")}>
                {f.dateTime(d.next_attempt_at)} ({f.relative(d.next_attempt_at)})
              </Descriptions.Item>
            )}
            <Descriptions.Item label={t("settings.deliveryId")}>
              <Typography.Text code copyable style={{ wordBreak: "break-all" }}>
                {d.id}
              </Typography.Text>
            </Descriptions.Item>
          </Descriptions>
          <div>
            <Typography.Title level={3} style={{ fontSize: 15, marginTop: 0 }}>
              {t("settings.deliveryPayload")}
            </Typography.Title>
            <pre
              data-testid="delivery-payload"
              tabIndex={0}
              aria-label={t("settings.deliveryPayload")}
              style={{
                background: "#f6f7f9",
                border: "1px solid #eceef3",
                borderRadius: 8,
                padding: 12,
                fontSize: 12,
                maxHeight: 420,
                overflow: "auto",
                whiteSpace: "pre-wrap",
                wordBreak: "break-word",
                margin: 0,
              }}
            >
              {JSON.stringify(d.payload, null, 2)}
            </pre>
          </div>
        </Flex>
      ) : null}
    </Drawer>
  );
}

/** A webhook's delivery log (newest first, refreshed every few seconds), a status filter, and a
 * detail drawer with the payload and Redeliver. */
export function DeliveriesDrawer({ webhook: requested, onClose }: { webhook: Webhook | null; onClose: () => void }) {
  const t = useT();
  const webhook = useLast(requested);
  const drawerSize = useDrawerSize(880);
  return (
    <Drawer
      open={requested !== null}
      onClose={onClose}
      title={t("settings.deliveriesTitle")}
      size={drawerSize}
      destroyOnHidden
      data-testid="webhook-deliveries"
    >
      {webhook && <DeliveryLog webhook={webhook} />}
    </Drawer>
  );
}

/** A delivery's View button, and Redeliver when it failed. */
function DeliveryActions({
  delivery,
  onOpen,
  onRedeliver,
  redelivering,
}: {
  delivery: Delivery;
  onOpen: (id: string) => void;
  onRedeliver: (id: string) => void;
  redelivering: boolean;
}) {
  const t = useT();
  return (
    <>
      <Button size="small" onClick={() => onOpen(delivery.id)} aria-label={t("settings.deliveryViewLabel", { id: delivery.id })}>
        {t("settings.deliveryView")}
      </Button>
      {delivery.status === "failed" && (
        <Button
          size="small"
          icon={<SendOutlined />}
          loading={redelivering}
          onClick={() => onRedeliver(delivery.id)}
          data-testid="delivery-row-redeliver"
        >
          {t("settings.redeliver")}
        </Button>
      )}
    </>
  );
}

/** Phones: one card per delivery instead of a wide table. */
function DeliveryCards({
  items,
  onOpen,
  onRedeliver,
  redelivering,
}: {
  items: Delivery[];
  onOpen: (id: string) => void;
  onRedeliver: (id: string) => void;
  redelivering: string | null;
}) {
  const t = useT();
  const f = useFormat();
  return (
    <Flex vertical gap={8} data-testid="deliveries-table">
      {items.map((d) => (
        <Card size="small" key={d.id}>
          <Flex vertical gap={4}>
            <Flex justify="space-between" align="center" gap={8} wrap="wrap">
              <DeliveryStatusTag delivery={d} />
              <Typography.Text code>{d.event_type}</Typography.Text>
            </Flex>
            <Typography.Text type="secondary" style={{ fontSize: 13 }}>
              {[
                f.relative(d.created_at),
                t("settings.deliveryAttemptsN", { n: d.attempts }),
                d.last_status_code ? `HTTP ${d.last_status_code}` : null,
              ]
                .filter(Boolean)
                .join(" · ")}
            </Typography.Text>
            {d.last_error && (
              <Typography.Text type="danger" style={{ fontSize: 13, wordBreak: "break-word" }}>
                {d.last_error}
              </Typography.Text>
            )}
            <Flex gap={8} style={{ marginTop: 4 }}>
              <DeliveryActions delivery={d} onOpen={onOpen} onRedeliver={onRedeliver} redelivering={redelivering === d.id} />
            </Flex>
          </Flex>
        </Card>
      ))}
    </Flex>
  );
}

function DeliveryLog({ webhook }: { webhook: Webhook }) {
  const t = useT();
  const phone = Grid.useBreakpoint().md === false;
  const [status, setStatus] = useState<DeliveryStatus | undefined>();
  const [page, setPage] = useState(1);
  const [open, setOpen] = useState<string | null>(null);
  const redeliver = useRedeliver(webhook);
  const log = useQuery({
    queryKey: webhookKeys.deliveries(webhook.id, { status, page }),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/webhooks/{webhook_id}/deliveries", {
          params: { path: { webhook_id: webhook.id }, query: { status, page, page_size: PAGE_SIZE } },
          signal,
        }),
      ),
    refetchInterval: REFRESH_MS,
    placeholderData: (previous) => previous,
  });

  return (
    <Flex vertical gap={12}>
      <Typography.Text type="secondary" style={{ wordBreak: "break-all" }}>
        {webhook.url}
      </Typography.Text>
      {!webhook.active && <Alert type="warning" showIcon title={t("settings.webhookInactiveNote")} />}
      <Flex gap={8} align="center" wrap="wrap">
        <Select<DeliveryStatus | "">
          aria-label={t("settings.deliveryFilter")}
          style={{ minWidth: 180 }}
          value={status ?? ""}
          onChange={(v) => {
            setStatus(v === "" ? undefined : v);
            setPage(1);
          }}
          options={[
            { value: "", label: t("settings.deliveryAll") },
            ...STATUSES.map((s) => ({ value: s, label: statusLabel(t, s) })),
          ]}
          data-testid="delivery-filter"
        />
        <Button icon={<ReloadOutlined />} onClick={() => void log.refetch()} loading={log.isFetching && !log.isPending}>
          {t("settings.refresh")}
        </Button>
      </Flex>
      {log.isPending ? (
        <Skeleton active paragraph={{ rows: 6 }} />
      ) : log.isError ? (
        <QueryError error={log.error} onRetry={() => void log.refetch()} />
      ) : log.data.total === 0 ? (
        <Empty description={status ? t("settings.deliveriesNoneFiltered") : t("settings.deliveriesEmpty")} />
      ) : phone ? (
        <>
          <DeliveryCards
            items={log.data.items}
            onOpen={setOpen}
            onRedeliver={(id) => redeliver.mutate(id)}
            redelivering={redeliver.isPending ? (redeliver.variables ?? null) : null}
          />
          {log.data.total > PAGE_SIZE && (
            <Pagination
              simple
              align="center"
              current={page}
              pageSize={PAGE_SIZE}
              total={log.data.total}
              onChange={setPage}
              showSizeChanger={false}
            />
          )}
        </>
      ) : (
        <ScrollRegion label={t("settings.deliveriesTitle")}>
          <Table<Delivery>
            data-testid="deliveries-table"
            rowKey="id"
            size="small"
            dataSource={log.data.items}
            scroll={{ x: "max-content" }}
            pagination={{
              current: page,
              pageSize: PAGE_SIZE,
              total: log.data.total,
              onChange: setPage,
              showSizeChanger: false,
              hideOnSinglePage: true,
            }}
            columns={[
              { title: t("settings.deliveryStatus"), key: "status", render: (_, d) => <DeliveryStatusTag delivery={d} /> },
              {
                title: t("settings.deliveryEvent"),
                dataIndex: "event_type",
                key: "event",
                render: (v: string) => <Typography.Text code>{v}</Typography.Text>,
              },
              { title: t("settings.deliveryAttempts"), dataIndex: "attempts", key: "attempts", align: "right" },
              {
                title: t("settings.deliveryCode"),
                dataIndex: "last_status_code",
                key: "code",
                align: "right",
                render: (v: number | null) => v ?? "—",
              },
              {
                title: t("settings.deliveryError"),
                dataIndex: "last_error",
                key: "error",
                render: (v: string | null) =>
                  v ? (
                    <Typography.Text type="danger" ellipsis={{ tooltip: v }} style={{ maxWidth: 240 }}>
                      {v}
                    </Typography.Text>
                  ) : (
                    "—"
                  ),
              },
              {
                title: t("settings.deliveryTime"),
                dataIndex: "created_at",
                key: "time",
                render: (v: string) => <RelativeTime iso={v} />,
              },
              {
                title: t("settings.actions"),
                key: "actions",
                render: (_, d) => (
                  <Flex gap={4}>
                    <DeliveryActions
                      delivery={d}
                      onOpen={setOpen}
                      onRedeliver={(id) => redeliver.mutate(id)}
                      redelivering={redeliver.isPending && redeliver.variables === d.id}
                    />
                  </Flex>
                ),
              },
            ]}
          />
        </ScrollRegion>
      )}
      <DeliveryDetailDrawer webhook={webhook} deliveryId={open} onClose={() => setOpen(null)} />
    </Flex>
  );
}
