import {
  ApiOutlined,
  DeleteOutlined,
  EditOutlined,
  LoadingOutlined,
  EyeOutlined,
  HistoryOutlined,
  PlusOutlined,
  SendOutlined,
} from "@ant-design/icons";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Alert, App, Button, Card, Empty, Flex, Modal, Skeleton, Switch, Tag, Typography } from "antd";
import { useState } from "react";
import { api, errorMessage, unwrap, type Schemas } from "../../api/client";
import { queryKeys } from "../../api/queries";
import { CardTitle } from "../../components/CardTitle";
import { ConfirmDelete } from "../../components/ConfirmDelete";
import { useT } from "../../i18n";
import { DeliveriesDrawer } from "./DeliveriesDrawer";
import { useFormat } from "../../lib/format";
import { QueryError } from "../../components/QueryError";
import { SecretBox } from "./SecretBox";
import { useLast } from "../../lib/useLast";
import { WebhookFormModal } from "./WebhookFormModal";
import { eventLabel, settled, useDelivery, useWebhooks, webhookKeys, type Webhook } from "./api";

const DOCS = "docs/webhooks.md";

/** The outcome of "Send test": followed until the first attempt ends, then through retries. */
function PingResult({
  webhook,
  deliveryId,
  onClose,
  onOpenLog,
}: {
  webhook: Webhook;
  deliveryId: string;
  onClose: () => void;
  onOpenLog: () => void;
}) {
  const t = useT();
  const f = useFormat();
  const d = useDelivery(webhook.id, deliveryId, true);
  const common = {
    showIcon: true,
    closable: { onClose, "aria-label": t("common.close") },
    "data-testid": "webhook-ping-result",
    action: (
      <Button type="link" size="small" onClick={onOpenLog}>
        {t("settings.webhookOpenLog")}
      </Button>
    ),
  };
  if (d.isError) return <Alert {...common} type="error" title={errorMessage(d.error)} />;
  const delivery = d.data;
  if (!delivery || !settled(delivery)) {
    return <Alert {...common} type="info" icon={<LoadingOutlined />} title={t("settings.pingSending")} />;
  }
  if (delivery.status === "succeeded") {
    return (
      <Alert {...common} type="success" title={t("settings.pingSucceeded", { code: delivery.last_status_code ?? "—" })} />
    );
  }
  const details = [
    delivery.last_error,
    delivery.status !== "pending"
      ? null
      : !webhook.active
        ? t("settings.pingPaused")
        : delivery.next_attempt_at
          ? t("settings.pingRetry", { when: f.relative(delivery.next_attempt_at) })
          : null,
  ].filter(Boolean);
  return (
    <Alert
      {...common}
      type="error"
      title={
        delivery.last_status_code
          ? t("settings.pingFailedCode", { code: delivery.last_status_code })
          : t("settings.pingFailed")
      }
      description={details.length > 0 ? <span style={{ wordBreak: "break-word" }}>{details.join(" · ")}</span> : undefined}
    />
  );
}

function SecretModal({ open, webhook, secret, created, onClose }: { open: boolean; webhook: Webhook | null; secret: string | null; created: boolean; onClose: () => void }) {
  const t = useT();
  return (
    <Modal
      open={open}
      title={created ? t("settings.webhookCreatedTitle") : t("settings.webhookSecretTitle")}
      onCancel={onClose}
      mask={{ closable: false }}
      footer={[
        <Button key="done" type="primary" onClick={onClose} data-testid="webhook-secret-done">
          {t("settings.keyDone")}
        </Button>,
      ]}
    >
      <Flex vertical gap={12}>
        {created && <Alert type="warning" showIcon title={t("settings.webhookSecretOnce")} />}
        <Typography.Text type="secondary" style={{ wordBreak: "break-all" }}>
          {webhook?.url}
        </Typography.Text>
        {secret ? <SecretBox secret={secret} label={t("settings.webhookSecret")} testId="webhook-secret" /> : <Skeleton.Input active block />}
        <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
          {t("settings.webhookSecretHelp")} <Typography.Text code>{DOCS}</Typography.Text>
        </Typography.Paragraph>
      </Flex>
    </Modal>
  );
}

function WebhookCard({
  webhook,
  onEdit,
  onDeliveries,
  onSecret,
}: {
  webhook: Webhook;
  onEdit: () => void;
  onDeliveries: () => void;
  onSecret: () => void;
}) {
  const t = useT();
  const f = useFormat();
  const { message } = App.useApp();
  const client = useQueryClient();
  const [pingId, setPingId] = useState<string | null>(null);
  const refresh = () => client.invalidateQueries({ queryKey: queryKeys.webhooks() });

  const toggle = useMutation({
    mutationFn: (active: boolean) =>
      unwrap(api.PATCH("/api/v1/webhooks/{webhook_id}", { params: { path: { webhook_id: webhook.id } }, body: { active } })),
    onSuccess: (w) => {
      void message.success(w.active ? t("settings.webhookActivated") : t("settings.webhookDeactivated"));
      void refresh();
    },
    onError: (e) => void message.error(errorMessage(e)),
  });
  const ping = useMutation({
    mutationFn: () => unwrap(api.POST("/api/v1/webhooks/{webhook_id}/ping", { params: { path: { webhook_id: webhook.id } } })),
    onSuccess: (d) => {
      setPingId(d.id);
      void client.invalidateQueries({ queryKey: [...queryKeys.webhooks(), webhook.id] });
    },
    onError: (e) => void message.error(errorMessage(e)),
  });
  const remove = useMutation({
    // Its deliveries go with it: stop following them first, so no poll ends in a 404.
    onMutate: async () => {
      setPingId(null);
      await client.cancelQueries({ queryKey: [...queryKeys.webhooks(), webhook.id] });
    },
    mutationFn: () => unwrap(api.DELETE("/api/v1/webhooks/{webhook_id}", { params: { path: { webhook_id: webhook.id } } })),
    onSuccess: () => {
      void message.success(t("settings.webhookDeleted"));
      client.removeQueries({ queryKey: [...queryKeys.webhooks(), webhook.id] });
      void client.invalidateQueries({ queryKey: webhookKeys.list() });
    },
    onError: (e) => void message.error(errorMessage(e)),
  });

  const switchId = `webhook-active-${webhook.id}`;
  return (
    <Card size="small" data-testid="webhook-item" styles={{ body: { padding: 16 } }}>
      <Flex vertical gap={10}>
        <Flex justify="space-between" align="flex-start" gap={12} wrap="wrap">
          <div style={{ minWidth: 0, flex: "1 1 260px" }}>
            <Typography.Text strong style={{ wordBreak: "break-all", fontFamily: "ui-monospace, SFMono-Regular, Menlo, monospace", fontSize: 13 }} data-testid="webhook-item-url">
              {webhook.url}
            </Typography.Text>
            {webhook.description && (
              <Typography.Paragraph type="secondary" style={{ margin: "2px 0 0" }}>
                {webhook.description}
              </Typography.Paragraph>
            )}
          </div>
          <Flex align="center" gap={8}>
            <Switch
              id={switchId}
              checked={webhook.active}
              loading={toggle.isPending}
              onChange={(v) => toggle.mutate(v)}
              data-testid="webhook-active"
            />
            <label htmlFor={switchId}>{webhook.active ? t("settings.webhookActive") : t("settings.webhookInactive")}</label>
          </Flex>
        </Flex>
        <Flex gap={4} wrap="wrap" aria-label={t("settings.webhookEvents")} role="list">
          {webhook.events.map((e) => (
            <Tag key={e} role="listitem" title={e} color={e === "*" ? "purple" : undefined}>
              {eventLabel(t, e)}
            </Tag>
          ))}
        </Flex>
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t("settings.createdOn", { when: f.dateTime(webhook.created_at) })}
        </Typography.Text>
        {pingId && (
          <PingResult
            webhook={webhook}
            deliveryId={pingId}
            onClose={() => setPingId(null)}
            onOpenLog={onDeliveries}
          />
        )}
        <Flex gap={8} wrap="wrap">
          <Button icon={<SendOutlined />} loading={ping.isPending} onClick={() => ping.mutate()} data-testid="webhook-ping">
            {t("settings.webhookPing")}
          </Button>
          <Button icon={<HistoryOutlined />} onClick={onDeliveries} data-testid="webhook-deliveries-open">
            {t("settings.webhookDeliveries")}
          </Button>
          <Button icon={<EditOutlined />} onClick={onEdit} data-testid="webhook-edit">
            {t("common.edit")}
          </Button>
          <Button icon={<EyeOutlined />} onClick={onSecret} data-testid="webhook-show-secret">
            {t("settings.webhookShowSecret")}
          </Button>
          <ConfirmDelete
            title={t("settings.webhookDeleteTitle")}
            description={t("settings.webhookDeleteText")}
            onConfirm={() => remove.mutate()}
          >
            <Button danger icon={<DeleteOutlined />} loading={remove.isPending} data-testid="webhook-delete">
              {t("common.delete")}
            </Button>
          </ConfirmDelete>
        </Flex>
      </Flex>
    </Card>
  );
}

export function WebhooksTab() {
  const t = useT();
  const { message } = App.useApp();
  const hooks = useWebhooks();
  const [form, setForm] = useState<{ open: boolean; webhook: Webhook | null }>({ open: false, webhook: null });
  const [logId, setLogId] = useState<string | null>(null);
  const [secret, setSecret] = useState<{ webhook: Webhook; secret: string | null; created: boolean } | null>(null);

  const shownSecret = useLast(secret);
  const showSecret = (webhook: Webhook) => {
    setSecret({ webhook, secret: null, created: false });
    unwrap(api.GET("/api/v1/webhooks/{webhook_id}/secret", { params: { path: { webhook_id: webhook.id } } })).then(
      (s) => setSecret((cur) => (cur?.webhook.id === webhook.id ? { ...cur, secret: s.secret } : cur)),
      (e) => {
        setSecret(null);
        void message.error(errorMessage(e));
      },
    );
  };
  const created = (w: Schemas["WebhookCreated"]) => {
    const { secret: s, ...webhook } = w;
    setSecret({ webhook, secret: s, created: true });
  };

  const addButton = (
    <Button type="primary" icon={<PlusOutlined />} onClick={() => setForm({ open: true, webhook: null })} data-testid="webhook-create">
      {t("settings.webhookCreate")}
    </Button>
  );
  const items = hooks.data?.items ?? [];

  return (
    <Card
      title={<CardTitle>{t("settings.webhooks")}</CardTitle>}
      extra={items.length > 0 ? addButton : null}
    >
      <Typography.Paragraph type="secondary">
        {t("settings.webhooksIntro")} {t("settings.webhooksDocs")} <Typography.Text code>{DOCS}</Typography.Text>
      </Typography.Paragraph>
      {hooks.isPending ? (
        <Skeleton active paragraph={{ rows: 4 }} />
      ) : hooks.isError ? (
        <QueryError error={hooks.error} onRetry={() => void hooks.refetch()} />
      ) : items.length === 0 ? (
        <Empty image={<ApiOutlined style={{ fontSize: 40, color: "#bfbfbf" }} />} description={t("settings.webhooksEmpty")}>
          {addButton}
        </Empty>
      ) : (
        <Flex vertical gap={12} data-testid="webhook-list">
          {items.map((w) => (
            <WebhookCard
              key={w.id}
              webhook={w}
              onEdit={() => setForm({ open: true, webhook: w })}
              onDeliveries={() => setLogId(w.id)}
              onSecret={() => showSecret(w)}
            />
          ))}
        </Flex>
      )}
      <WebhookFormModal
        open={form.open}
        webhook={form.webhook}
        onClose={() => setForm((f) => ({ ...f, open: false }))}
        onCreated={created}
      />
      <DeliveriesDrawer webhook={items.find((w) => w.id === logId) ?? null} onClose={() => setLogId(null)} />
      <SecretModal
        open={secret !== null}
        webhook={shownSecret?.webhook ?? null}
        secret={shownSecret?.secret ?? null}
        created={shownSecret?.created ?? false}
        onClose={() => setSecret(null)}
      />
    </Card>
  );
}
