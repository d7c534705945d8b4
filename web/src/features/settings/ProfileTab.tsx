import { LockOutlined } from "@ant-design/icons";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Alert, App, Button, Card, Col, Descriptions, Form, Input, Row, Skeleton, Tag, Typography } from "antd";
import { api, errorMessage, unwrap } from "../../api/client";
import { queryKeys, useMe } from "../../api/queries";
import { CardTitle } from "../../components/CardTitle";
import { session } from "../../auth/session";
import { useT } from "../../i18n";
import { useFormat } from "../../lib/format";
import { QueryError } from "../../components/QueryError";
import { UsageView } from "./UsageView";
import { roleLabel } from "./roles";
import { USAGE_DAYS, useMyUsage } from "./api";

const MIN_PASSWORD = 8;
const MAX_PASSWORD = 256;

interface PasswordFields {
  current_password: string;
  new_password: string;
  confirm: string;
}

function ProfileCard() {
  const t = useT();
  const f = useFormat();
  const me = useMe();
  const client = useQueryClient();
  const { message } = App.useApp();
  const rename = useMutation({
    mutationFn: (name: string) => unwrap(api.PATCH("/api/v1/auth/me", { body: { display_name: name } })),
    onSuccess: (user) => {
      client.setQueryData(queryKeys.me(), user);
      void message.success(t("settings.nameSaved"));
    },
    onError: (error) => void message.error(errorMessage(error)),
  });
  return (
    <Card title={<CardTitle>{t("settings.profile")}</CardTitle>}>
      {me.isPending ? (
        <Skeleton active paragraph={{ rows: 4 }} />
      ) : me.isError ? (
        <QueryError error={me.error} onRetry={() => void me.refetch()} />
      ) : (
        <Descriptions column={1} size="small" data-testid="profile">
          <Descriptions.Item label={t("settings.email")}>{me.data.email}</Descriptions.Item>
          <Descriptions.Item label={t("settings.displayName")}>
            <Typography.Text
              data-testid="display-name"
              editable={{
                text: me.data.display_name,
                maxLength: 100,
                tooltip: t("settings.editName"),
                onChange: (value) => {
                  const name = value.trim();
                  if (name && name !== me.data.display_name) rename.mutate(name);
                },
              }}
            >
              {(rename.isPending ? rename.variables : me.data.display_name) || (
                <Typography.Text type="secondary">{t("settings.noName")}</Typography.Text>
              )}
            </Typography.Text>
          </Descriptions.Item>
          <Descriptions.Item label={t("settings.role")}>
            <Tag color={me.data.role === "admin" ? "purple" : undefined}>{roleLabel(t, me.data.role)}</Tag>
          </Descriptions.Item>
          <Descriptions.Item label={t("settings.plan")}>
            <Tag color="blue">{me.data.plan}</Tag>
          </Descriptions.Item>
          <Descriptions.Item label={t("settings.memberSince")}>{f.date(me.data.created_at)}</Descriptions.Item>
        </Descriptions>
      )}
    </Card>
  );
}

async function changePassword(email: string, fields: PasswordFields): Promise<void> {
  await unwrap(
    api.POST("/api/v1/auth/password", {
      body: { current_password: fields.current_password, new_password: fields.new_password },
    }),
  );
  // The server revoked every refresh token of the account, this browser's too: sign in again
  // with the new password so this session goes on while the others end.
  const tokens = await unwrap(api.POST("/api/v1/auth/login", { body: { email, password: fields.new_password } }));
  session.begin(tokens);
}

function PasswordCard() {
  const t = useT();
  const me = useMe();
  const { message } = App.useApp();
  const [form] = Form.useForm<PasswordFields>();
  const change = useMutation({
    mutationFn: (fields: PasswordFields) => changePassword(me.data?.email ?? "", fields),
    onSuccess: () => {
      form.resetFields();
      void message.success(t("settings.passwordChanged"));
    },
  });
  return (
    <Card title={<CardTitle>{t("settings.changePassword")}</CardTitle>}>
      <Typography.Paragraph type="secondary">{t("settings.passwordHelp")}</Typography.Paragraph>
      {change.isError && (
        <Alert type="error" showIcon role="alert" title={errorMessage(change.error)} style={{ marginBottom: 16 }} />
      )}
      {change.isSuccess && (
        <Alert type="success" showIcon title={t("settings.passwordChangedLong")} style={{ marginBottom: 16 }} closable={{ onClose: () => change.reset() }} />
      )}
      <Form<PasswordFields>
        form={form}
        layout="vertical"
        requiredMark={false}
        disabled={change.isPending || !me.data}
        onFinish={(v) => change.mutate(v)}
        data-testid="password-form"
      >
        {/* A hidden username helps password managers file the new password under the right account. */}
        <input type="text" name="username" autoComplete="username" value={me.data?.email ?? ""} readOnly hidden />
        <Form.Item
          name="current_password"
          label={t("settings.currentPassword")}
          rules={[{ required: true, message: t("settings.currentPasswordRequired") }]}
        >
          <Input.Password prefix={<LockOutlined />} autoComplete="current-password" />
        </Form.Item>
        <Form.Item
          name="new_password"
          label={t("settings.newPassword")}
          extra={t("settings.newPasswordHint", { n: MIN_PASSWORD })}
          rules={[
            { required: true, message: t("settings.newPasswordRequired") },
            { min: MIN_PASSWORD, message: t("settings.passwordShort", { n: MIN_PASSWORD }) },
            { max: MAX_PASSWORD, message: t("settings.passwordLong", { n: MAX_PASSWORD }) },
          ]}
        >
          <Input.Password prefix={<LockOutlined />} autoComplete="new-password" />
        </Form.Item>
        <Form.Item
          name="confirm"
          label={t("settings.confirmPassword")}
          dependencies={["new_password"]}
          rules={[
            { required: true, message: t("settings.confirmRequired") },
            ({ getFieldValue }) => ({
              validator: (_, value) =>
                !value || getFieldValue("new_password") === value
                  ? Promise.resolve()
                  : Promise.reject(new Error(t("settings.passwordMismatch"))),
            }),
          ]}
        >
          <Input.Password prefix={<LockOutlined />} autoComplete="new-password" />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={change.isPending} data-testid="password-submit">
          {t("settings.changePasswordButton")}
        </Button>
      </Form>
    </Card>
  );
}

function UsageCard() {
  const t = useT();
  const usage = useMyUsage(USAGE_DAYS);
  const client = useQueryClient();
  return (
    <Card
      title={<CardTitle>{t("settings.usage")}</CardTitle>}
      extra={
        <Button size="small" onClick={() => void client.invalidateQueries({ queryKey: queryKeys.usage() })} loading={usage.isFetching && !usage.isPending}>
          {t("settings.refresh")}
        </Button>
      }
      data-testid="usage"
    >
      {usage.isPending ? (
        <Skeleton active paragraph={{ rows: 6 }} />
      ) : usage.isError ? (
        <QueryError error={usage.error} onRetry={() => void usage.refetch()} />
      ) : (
        <UsageView usage={usage.data} />
      )}
    </Card>
  );
}

export function ProfileTab() {
  return (
    <Row gutter={[16, 16]}>
      <Col xs={24} lg={12}>
        <ProfileCard />
      </Col>
      <Col xs={24} lg={12}>
        <PasswordCard />
      </Col>
      <Col xs={24}>
        <UsageCard />
      </Col>
    </Row>
  );
}
