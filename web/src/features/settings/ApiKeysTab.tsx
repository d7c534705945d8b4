import { DeleteOutlined, KeyOutlined, PlusOutlined } from "@ant-design/icons";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, App, Button, Card, Empty, Flex, Form, Grid, Input, Modal, Skeleton, Table, Typography } from "antd";
import { useState } from "react";
import { api, errorMessage, unwrap, type Schemas } from "../../api/client";
import { queryKeys } from "../../api/queries";
import { CardTitle } from "../../components/CardTitle";
import { ConfirmDelete } from "../../components/ConfirmDelete";
import { useT } from "../../i18n";
import { useFormat } from "../../lib/format";
import { QueryError } from "../../components/QueryError";
import { RelativeTime } from "../../components/RelativeTime";
import { ScrollRegion } from "../../components/ScrollRegion";
import { SecretBox } from "./SecretBox";

type ApiKey = Schemas["ApiKeyOut"];
type Created = Schemas["ApiKeyCreated"];

function CreateKeyModal({ open, onClose }: { open: boolean; onClose: () => void }) {
  const t = useT();
  const client = useQueryClient();
  const [form] = Form.useForm<{ name: string }>();
  const [created, setCreated] = useState<Created | null>(null);
  const create = useMutation({
    mutationFn: (name: string) => unwrap(api.POST("/api/v1/auth/api-keys", { body: { name } })),
    onSuccess: (key) => {
      setCreated(key);
      void client.invalidateQueries({ queryKey: queryKeys.apiKeys() });
    },
  });
  const close = () => {
    onClose();
  };
  const afterClose = () => {
    setCreated(null);
    create.reset();
    form.resetFields();
  };

  return (
    <Modal
      open={open}
      title={created ? t("settings.keyCreatedTitle") : t("settings.keyCreateTitle")}
      onCancel={close}
      afterClose={afterClose}
      destroyOnHidden
      mask={{ closable: !created }}
      footer={
        created
          ? [
              <Button key="done" type="primary" onClick={close} data-testid="api-key-done">
                {t("settings.keyDone")}
              </Button>,
            ]
          : [
              <Button key="cancel" onClick={close}>
                {t("common.cancel")}
              </Button>,
              <Button key="create" type="primary" loading={create.isPending} onClick={() => form.submit()} data-testid="api-key-submit">
                {t("settings.keyCreateButton")}
              </Button>,
            ]
      }
    >
      {created ? (
        <Flex vertical gap={12}>
          <Alert type="warning" showIcon title={t("settings.keyOnceTitle")} description={t("settings.keyOnceText")} />
          {created.secret ? (
            <SecretBox secret={created.secret} label={t("settings.keySecret")} testId="api-key-secret" />
          ) : (
            <Alert type="error" showIcon title={t("settings.keyNoSecret")} />
          )}
          <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
            {t("settings.keyUsage")} <Typography.Text code>Authorization: Bearer {"<secret>"}</Typography.Text>
          </Typography.Paragraph>
        </Flex>
      ) : (
        <Form<{ name: string }>
          form={form}
          layout="vertical"
          requiredMark={false}
          disabled={create.isPending}
          onFinish={(v) => create.mutate(v.name.trim())}
        >
          {create.isError && (
            <Alert type="error" showIcon role="alert" title={errorMessage(create.error)} style={{ marginBottom: 16 }} />
          )}
          <Form.Item
            name="name"
            label={t("settings.keyName")}
            extra={t("settings.keyNameHint")}
            rules={[
              { required: true, whitespace: true, message: t("settings.keyNameRequired") },
              { max: 100, message: t("settings.tooLong", { n: 100 }) },
            ]}
          >
            <Input autoFocus maxLength={100} placeholder={t("settings.keyNamePlaceholder")} data-testid="api-key-name" autoComplete="off" />
          </Form.Item>
        </Form>
      )}
    </Modal>
  );
}

export function ApiKeysTab() {
  const t = useT();
  const f = useFormat();
  const { message } = App.useApp();
  const client = useQueryClient();
  const [creating, setCreating] = useState(false);
  const phone = Grid.useBreakpoint().md === false;
  const keys = useQuery({
    queryKey: queryKeys.apiKeys(),
    queryFn: () => unwrap(api.GET("/api/v1/auth/api-keys")),
  });
  const revoke = useMutation({
    mutationFn: (key: ApiKey) =>
      unwrap(api.DELETE("/api/v1/auth/api-keys/{key_id}", { params: { path: { key_id: key.id } } })).then(() => key),
    onSuccess: (key) => {
      void message.success(t("settings.keyRevoked", { name: key.name }));
      void client.invalidateQueries({ queryKey: queryKeys.apiKeys() });
    },
    onError: (e) => void message.error(errorMessage(e)),
  });

  const createButton = (
    <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="api-key-create">
      {t("settings.keyCreate")}
    </Button>
  );
  const revokeButton = (key: ApiKey) => (
    <ConfirmDelete
      title={t("settings.keyRevokeTitle", { name: key.name })}
      description={t("settings.keyRevokeText")}
      okText={t("settings.keyRevoke")}
      onConfirm={() => revoke.mutate(key)}
    >
      <Button
        danger
        size={phone ? "small" : undefined}
        icon={<DeleteOutlined />}
        loading={revoke.isPending && revoke.variables?.id === key.id}
        aria-label={t("settings.keyRevokeLabel", { name: key.name })}
        data-testid="api-key-revoke"
      >
        {t("settings.keyRevoke")}
      </Button>
    </ConfirmDelete>
  );
  const lastUsed = (v: string | null) => (
    <RelativeTime iso={v} fallback={<Typography.Text type="secondary">{t("settings.never")}</Typography.Text>} />
  );

  return (
    <Card
      title={<CardTitle>{t("settings.apiKeys")}</CardTitle>}
      extra={keys.data && keys.data.length > 0 ? createButton : null}
    >
      <Typography.Paragraph type="secondary">{t("settings.keysIntro")}</Typography.Paragraph>
      {keys.isPending ? (
        <Skeleton active paragraph={{ rows: 3 }} />
      ) : keys.isError ? (
        <QueryError error={keys.error} onRetry={() => void keys.refetch()} />
      ) : keys.data.length === 0 ? (
        <Empty image={<KeyOutlined style={{ fontSize: 40, color: "#bfbfbf" }} />} description={t("settings.keysEmpty")}>
          {createButton}
        </Empty>
      ) : phone ? (
        <Flex vertical gap={8} data-testid="api-keys-table">
          {keys.data.map((key) => (
            <Card size="small" key={key.id}>
              <Flex justify="space-between" align="flex-start" gap={8}>
                <Flex vertical gap={4} style={{ minWidth: 0 }}>
                  <Typography.Text strong style={{ wordBreak: "break-word" }}>
                    {key.name}
                  </Typography.Text>
                  <Typography.Text code style={{ alignSelf: "flex-start" }}>
                    {key.prefix}…
                  </Typography.Text>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {t("settings.createdOn", { when: f.dateTime(key.created_at) })}
                  </Typography.Text>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {t("settings.lastUsed")}: {lastUsed(key.last_used_at)}
                  </Typography.Text>
                </Flex>
                {revokeButton(key)}
              </Flex>
            </Card>
          ))}
        </Flex>
      ) : (
        <ScrollRegion label={t("settings.apiKeys")}>
          <Table<ApiKey>
            data-testid="api-keys-table"
            rowKey="id"
            dataSource={keys.data}
            pagination={false}
            scroll={{ x: "max-content" }}
            columns={[
              {
                title: t("settings.keyName"),
                dataIndex: "name",
                key: "name",
                render: (v: string) => <Typography.Text strong>{v}</Typography.Text>,
              },
              {
                title: t("settings.keyPrefix"),
                dataIndex: "prefix",
                key: "prefix",
                render: (v: string) => <Typography.Text code>{v}…</Typography.Text>,
              },
              { title: t("settings.created"), dataIndex: "created_at", key: "created", render: (v: string) => f.dateTime(v) },
              { title: t("settings.lastUsed"), dataIndex: "last_used_at", key: "used", render: lastUsed },
              { title: t("settings.actions"), key: "actions", align: "right", render: (_, key) => revokeButton(key) },
            ]}
          />
        </ScrollRegion>
      )}
      <CreateKeyModal open={creating} onClose={() => setCreating(false)} />
    </Card>
  );
}
