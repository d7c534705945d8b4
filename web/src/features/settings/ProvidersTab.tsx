/** AI providers: the account's routes (which providers make its projects' work, and how they
 * are chosen) and its own provider API keys (stored encrypted, shown only masked). */
import { DeleteOutlined, KeyOutlined, SaveOutlined } from "@ant-design/icons";
import { Alert, App, Button, Card, Empty, Flex, Form, Input, Skeleton, Space, Typography } from "antd";
import { useEffect, useMemo } from "react";
import { ApiError, errorMessage } from "../../api/client";
import { CardTitle } from "../../components/CardTitle";
import { ConfirmDelete } from "../../components/ConfirmDelete";
import { QueryError } from "../../components/QueryError";
import { RelativeTime } from "../../components/RelativeTime";
import { useT, type TFunction } from "../../i18n";
import { applyFieldErrors } from "../../lib/fieldErrors";
import {
  useDeleteProviderKey,
  useMyRouting,
  useProviderCatalog,
  useProviderKeys,
  useSetMyRouting,
  useSetProviderKey,
  type KeySlot,
  type ProviderKey,
} from "../providers/api";
import { RoutingFields } from "../providers/RoutingFields";
import {
  ROUTING_BODY_RENAME,
  ROUTING_FIELD_PATHS,
  routingFields,
  routingPayload,
  sameRouting,
  type RoutingFields as RoutingValues,
} from "../providers/routing";

/** The server's shortest key (ProviderKeyIn). */
const KEY_MIN = 8;
const KEY_MAX = 1000;

const SLOT_KEYS = {
  llm: "settings.slot.llm",
  openai_image: "settings.slot.openai_image",
  comfyui: "settings.slot.comfyui",
  openai_speech: "settings.slot.openai_speech",
  http_motion: "settings.slot.http_motion",
} as const;

/** A key slot's name in the UI's language (the server's English label for one it added since). */
export function slotLabel(t: TFunction, slot: KeySlot): string {
  return slot.slot in SLOT_KEYS ? t(SLOT_KEYS[slot.slot as keyof typeof SLOT_KEYS]) : slot.label;
}

function RoutesCard() {
  const t = useT();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ routing: RoutingValues }>();
  const routing = useMyRouting();
  const save = useSetMyRouting();
  const stored = routing.data?.routing;
  const initial = useMemo(() => ({ routing: routingFields(stored) }), [stored]);
  // A refetch with other routes (another tab saved) shows them; unchanged data leaves edits be.
  useEffect(() => {
    form.resetFields();
  }, [form, initial]);

  const submit = (values: { routing: RoutingValues }) => {
    const body = routingPayload(values.routing);
    if (sameRouting(body, routingPayload(initial.routing))) {
      void message.info(t("settings.routesUnchanged"));
      return;
    }
    save.mutate(body, {
      onSuccess: () => void message.success(t("settings.routesSaved")),
      onError: (e) => applyFieldErrors(form, e, ROUTING_FIELD_PATHS, ROUTING_BODY_RENAME),
    });
  };

  return (
    <Card title={<CardTitle>{t("settings.routes")}</CardTitle>} data-testid="provider-routes">
      <Typography.Paragraph type="secondary">{t("settings.routesIntro")}</Typography.Paragraph>
      {routing.isPending ? (
        <Skeleton active paragraph={{ rows: 6 }} />
      ) : routing.isError ? (
        <QueryError error={routing.error} onRetry={() => void routing.refetch()} />
      ) : (
        <Form form={form} layout="vertical" initialValues={initial} onFinish={submit} requiredMark={false} disabled={save.isPending}>
          {save.isError && <Alert type="error" showIcon role="alert" title={errorMessage(save.error)} style={{ marginBottom: 16 }} />}
          <RoutingFields follows="server" current={routing.data.effective} currentIs="inUse" idPrefix="account-route" />
          <Space wrap>
            <Button type="primary" htmlType="submit" icon={<SaveOutlined />} loading={save.isPending} data-testid="provider-routes-save">
              {t("settings.routesSave")}
            </Button>
            <Button onClick={() => form.setFieldsValue({ routing: routingFields({}) })} data-testid="provider-routes-clear">
              {t("settings.routesClear")}
            </Button>
          </Space>
        </Form>
      )}
    </Card>
  );
}

function KeyRow({ slot, stored }: { slot: KeySlot; stored: ProviderKey | undefined }) {
  const t = useT();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ api_key: string }>();
  const save = useSetProviderKey();
  const remove = useDeleteProviderKey();
  const label = slotLabel(t, slot);
  const inputId = `provider-key-${slot.slot}`;

  const submit = ({ api_key }: { api_key: string }) =>
    save.mutate(
      { slot: slot.slot, apiKey: api_key.trim() },
      {
        onSuccess: () => {
          // The key is never shown again, not even in the field it was typed in.
          form.resetFields();
          void message.success(t("settings.providerKeySaved", { label }));
        },
        onError: (e) => {
          if (applyFieldErrors(form, e, ["api_key"]).length === 0) void message.error(errorMessage(e));
        },
      },
    );

  const removeKey = () =>
    remove.mutateAsync(slot.slot).then(
      () => void message.success(t("settings.providerKeyRemoved", { label })),
      (e: unknown) => {
        // Already gone (another tab): the list is read again either way.
        if (!(e instanceof ApiError && e.status === 404)) void message.error(errorMessage(e));
      },
    );

  return (
    <Card size="small" data-testid="provider-key-row" data-slot={slot.slot} data-stored={stored ? "true" : "false"}>
      <Flex vertical gap={8}>
        <Flex justify="space-between" align="flex-start" gap={8} wrap="wrap">
          <Flex vertical gap={2} style={{ minWidth: 0, flex: "1 1 240px" }}>
            <Typography.Text strong>{label}</Typography.Text>
            {stored ? (
              <Typography.Text type="secondary" style={{ fontSize: 13 }}>
                {t("settings.providerKeyStored")}{" "}
                <Typography.Text code data-testid="provider-key-hint">
                  {stored.hint}
                </Typography.Text>{" "}
                · {t("settings.providerKeyUpdated")} <RelativeTime iso={stored.updated_at} />
              </Typography.Text>
            ) : (
              <Typography.Text type="secondary" style={{ fontSize: 13 }} data-testid="provider-key-none">
                {t("settings.providerKeyNone")}
              </Typography.Text>
            )}
          </Flex>
          {stored && (
            <ConfirmDelete
              title={t("settings.providerKeyRemoveTitle", { label })}
              description={t("settings.providerKeyRemoveText")}
              okText={t("settings.providerKeyRemove")}
              okTestId="provider-key-remove-confirm"
              onConfirm={removeKey}
            >
              <Button
                danger
                size="small"
                icon={<DeleteOutlined />}
                loading={remove.isPending}
                aria-label={t("settings.providerKeyRemoveLabel", { label })}
                data-testid="provider-key-remove"
              >
                {t("settings.providerKeyRemove")}
              </Button>
            </ConfirmDelete>
          )}
        </Flex>
        <Form form={form} layout="vertical" requiredMark={false} onFinish={submit} disabled={save.isPending} style={{ maxWidth: 760 }}>
          <Flex gap={8} align="flex-start" wrap="wrap">
            <Form.Item
              name="api_key"
              style={{ flex: "1 1 220px", minWidth: 0, marginBottom: 0 }}
              rules={[
                { required: true, whitespace: true, message: t("settings.providerKeyRequired") },
                { min: KEY_MIN, message: t("settings.providerKeyShort", { n: KEY_MIN }) },
                { max: KEY_MAX, message: t("settings.tooLong", { n: KEY_MAX }) },
                { pattern: /^\s*\S+\s*$/, message: t("settings.providerKeySpaces") },
              ]}
            >
              <Input.Password
                id={inputId}
                visibilityToggle={false}
                autoComplete="new-password"
                spellCheck={false}
                aria-label={t(stored ? "settings.providerKeyReplaceLabel" : "settings.providerKeyLabel", { label })}
                placeholder={t(stored ? "settings.providerKeyReplacePlaceholder" : "settings.providerKeyPlaceholder")}
                data-testid="provider-key-input"
              />
            </Form.Item>
            <Button htmlType="submit" icon={<SaveOutlined />} loading={save.isPending} data-testid="provider-key-save" aria-label={t("settings.providerKeySaveLabel", { label })}>
              {t("settings.providerKeySave")}
            </Button>
          </Flex>
        </Form>
      </Flex>
    </Card>
  );
}

function KeysCard() {
  const t = useT();
  const catalog = useProviderCatalog();
  const keys = useProviderKeys();
  const bySlot = new Map((keys.data ?? []).map((k) => [k.slot, k]));
  const slots = catalog.data?.key_slots ?? [];
  // A key stored for a slot the server no longer offers can still be seen and removed.
  const extra = (keys.data ?? []).filter((k) => !slots.some((s) => s.slot === k.slot)).map((k) => ({ slot: k.slot, label: k.label }));
  const error = catalog.error ?? keys.error;
  return (
    <Card title={<CardTitle icon={<KeyOutlined />}>{t("settings.providerKeys")}</CardTitle>} data-testid="provider-keys">
      <Typography.Paragraph type="secondary">{t("settings.providerKeysIntro")}</Typography.Paragraph>
      {catalog.isPending || keys.isPending ? (
        <Skeleton active paragraph={{ rows: 4 }} />
      ) : error ? (
        <QueryError
          error={error}
          onRetry={() => {
            void catalog.refetch();
            void keys.refetch();
          }}
        />
      ) : slots.length + extra.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t("settings.providerKeysEmpty")} />
      ) : (
        <Flex vertical gap={8}>
          {[...slots, ...extra].map((slot) => (
            <KeyRow key={slot.slot} slot={slot} stored={bySlot.get(slot.slot)} />
          ))}
        </Flex>
      )}
    </Card>
  );
}

export function ProvidersTab() {
  return (
    <Flex vertical gap={16} data-testid="providers-tab">
      <RoutesCard />
      <KeysCard />
    </Flex>
  );
}
