import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Alert, Checkbox, Col, Flex, Form, Input, Modal, Row, Skeleton, Switch, Typography } from "antd";
import { useEffect } from "react";
import { api, errorMessage, unwrap, type Schemas } from "../../api/client";
import { queryKeys } from "../../api/queries";
import { useT } from "../../i18n";
import { applyFieldErrors, fieldErrors } from "../../lib/fieldErrors";
import { QueryError } from "../../components/QueryError";
import { ALL_EVENTS, eventLabel, useEventTypes, type Webhook } from "./api";

interface Fields {
  url: string;
  events: string[];
  description: string;
  active: boolean;
}

const FIELDS = ["url", "events", "description", "active"] as const;

/** Add a webhook (`webhook` null) or edit one. On creation, `onCreated` gets the answer with
 * its signing secret. */
export function WebhookFormModal({
  open,
  webhook,
  onClose,
  onCreated,
}: {
  open: boolean;
  webhook: Webhook | null;
  onClose: () => void;
  onCreated: (created: Schemas["WebhookCreated"]) => void;
}) {
  const t = useT();
  const client = useQueryClient();
  const [form] = Form.useForm<Fields>();
  const types = useEventTypes();
  const events = Form.useWatch("events", form) ?? [];
  const all = events.includes(ALL_EVENTS);

  useEffect(() => {
    if (!open) return;
    form.setFieldsValue(
      webhook
        ? { url: webhook.url, events: webhook.events, description: webhook.description, active: webhook.active }
        : { url: "", events: [], description: "", active: true },
    );
  }, [open, webhook, form]);

  const save = useMutation({
    mutationFn: async (v: Fields) => {
      const body = {
        url: v.url.trim(),
        events: v.events.includes(ALL_EVENTS) ? [ALL_EVENTS] : v.events,
        description: (v.description ?? "").trim(),
        active: v.active,
      };
      if (webhook) {
        await unwrap(api.PATCH("/api/v1/webhooks/{webhook_id}", { params: { path: { webhook_id: webhook.id } }, body }));
        return null;
      }
      return unwrap(api.POST("/api/v1/webhooks", { body }));
    },
    onSuccess: (created) => {
      void client.invalidateQueries({ queryKey: queryKeys.webhooks() });
      onClose();
      if (created) onCreated(created);
    },
    onError: (e) => applyFieldErrors(form, e, FIELDS),
  });

  // "All events" first, then the types in the server's order.
  const ordered = [...(types.data?.event_types ?? [])].sort((a, b) => Number(b === ALL_EVENTS) - Number(a === ALL_EVENTS));
  // The server's message shows under the field it names; otherwise above the form.
  const fieldError = fieldErrors(save.error, FIELDS).length > 0;
  const options = ordered.map((type) => ({
    value: type,
    disabled: all && type !== ALL_EVENTS,
    label: (
      <span>
        {eventLabel(t, type)}{" "}
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {type}
        </Typography.Text>
      </span>
    ),
  }));

  return (
    <Modal
      open={open}
      title={webhook ? t("settings.webhookEditTitle") : t("settings.webhookCreateTitle")}
      okText={webhook ? t("common.save") : t("settings.webhookCreateButton")}
      cancelText={t("common.cancel")}
      onOk={() => form.submit()}
      okButtonProps={{ loading: save.isPending, "data-testid": "webhook-submit" }}
      onCancel={onClose}
      afterClose={() => {
        save.reset();
        form.resetFields();
      }}
      forceRender
      width={600}
    >
      <Form<Fields>
        form={form}
        layout="vertical"
        requiredMark={false}
        disabled={save.isPending}
        onFinish={(v) => save.mutate(v)}
        onValuesChange={() => save.isError && save.reset()}
      >
        {save.isError && !fieldError && (
          <Alert type="error" showIcon role="alert" title={errorMessage(save.error)} style={{ marginBottom: 16 }} />
        )}
        <Form.Item
          name="url"
          label={t("settings.webhookUrl")}
          extra={t("settings.webhookUrlHint")}
          rules={[
            { required: true, whitespace: true, message: t("settings.webhookUrlRequired") },
            { type: "url", message: t("settings.webhookUrlInvalid") },
            { max: 2000, message: t("settings.tooLong", { n: 2000 }) },
          ]}
        >
          <Input inputMode="url" placeholder="https://example.com/storyreel-hook" data-testid="webhook-url" autoComplete="url" />
        </Form.Item>
        {types.isPending ? (
          <Form.Item label={t("settings.webhookEvents")}>
            <Skeleton active title={false} paragraph={{ rows: 3 }} />
          </Form.Item>
        ) : types.isError ? (
          <Form.Item label={t("settings.webhookEvents")}>
            <QueryError error={types.error} onRetry={() => void types.refetch()} />
          </Form.Item>
        ) : (
          <Form.Item
            name="events"
            label={t("settings.webhookEvents")}
            extra={all ? t("settings.webhookAllHint") : undefined}
            rules={[
              {
                // A validator rather than `required`: Form.Item would put aria-required on the
                // group, which ARIA does not allow there.
                validator: (_, value: string[] | undefined) =>
                  value && value.length > 0 ? Promise.resolve() : Promise.reject(new Error(t("settings.webhookEventsRequired"))),
              },
            ]}
          >
            <Checkbox.Group style={{ width: "100%" }} data-testid="webhook-events" role="group" aria-label={t("settings.webhookEvents")}>
              <Row gutter={[8, 8]} style={{ width: "100%" }}>
                {options.map((o) => (
                  <Col xs={24} sm={12} key={o.value}>
                    <Checkbox value={o.value} disabled={o.disabled}>
                      {o.label}
                    </Checkbox>
                  </Col>
                ))}
              </Row>
            </Checkbox.Group>
          </Form.Item>
        )}
        <Form.Item
          name="description"
          label={t("settings.webhookDescription")}
          rules={[{ max: 200, message: t("settings.tooLong", { n: 200 }) }]}
        >
          <Input maxLength={200} placeholder={t("settings.webhookDescriptionPlaceholder")} data-testid="webhook-description" />
        </Form.Item>
        <Flex align="center" gap={12}>
          <Form.Item name="active" valuePropName="checked" noStyle>
            <Switch id="webhook-active" />
          </Form.Item>
          <label htmlFor="webhook-active">{t("settings.webhookActiveLabel")}</label>
        </Flex>
      </Form>
    </Modal>
  );
}
