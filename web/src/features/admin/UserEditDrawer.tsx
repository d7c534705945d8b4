import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Alert, App, AutoComplete, Button, Col, Divider, Drawer, Flex, Form, InputNumber, Row, Select, Typography } from "antd";
import { useEffect } from "react";
import { api, errorMessage, unwrap, type Schemas } from "../../api/client";
import { queryKeys } from "../../api/queries";
import { useT } from "../../i18n";
import { applyFieldErrors, fieldErrors } from "../../lib/fieldErrors";
import { useFormat } from "../../lib/format";
import { useDrawerSize } from "../../lib/useDrawerSize";
import { useLast } from "../../lib/useLast";
import { useProviderCatalog } from "../providers/api";
import { ROLES, roleLabel, type Role } from "../settings/roles";
import { QUOTA_FIELDS, useUserUsage, type AdminUser, type QuotaField } from "./api";

type Quotas = Record<QuotaField, number | null>;

interface Fields {
  role: Role;
  plan: string;
  quotas: Quotas;
}

const KNOWN_FIELDS = ["role", "plan", ...QUOTA_FIELDS.map((q) => `quotas.${q}`)];

function numberOrNull(v: unknown): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

/** Role, plan and per-user quota overrides (empty = the plan's value). */
export function UserEditDrawer({
  user: requested,
  self,
  plans,
  onClose,
}: {
  user: AdminUser | null;
  self: boolean;
  plans: string[];
  onClose: () => void;
}) {
  const t = useT();
  const f = useFormat();
  // Budgets are in the server's currency (its provider prices'), shown never converted.
  const currency = useProviderCatalog(requested !== null).data?.currency ?? "USD";
  const { message } = App.useApp();
  const drawerSize = useDrawerSize(560);
  const client = useQueryClient();
  const [form] = Form.useForm<Fields>();
  const user = useLast(requested);
  const effective = useUserUsage(user?.id ?? null, 1);

  // The form starts from the user each time one is opened; the list being read again (a new
  // `user` object for the same account, e.g. on window focus) must not wipe unsaved edits.
  const openedId = requested?.id ?? null;
  useEffect(() => {
    if (!openedId || !user) return;
    form.resetFields();
    form.setFieldsValue({
      role: (ROLES as readonly string[]).includes(user.role) ? (user.role as Role) : "user",
      plan: user.plan,
      quotas: Object.fromEntries(QUOTA_FIELDS.map((q) => [q, numberOrNull(user.quotas?.[q])])) as Quotas,
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps -- on opening, not on every read of `user`
  }, [openedId, form]);

  const save = useMutation({
    mutationFn: (v: Fields) => {
      if (!user) throw new Error("no user");
      const body: Schemas["UserPatch"] = {
        quotas: Object.fromEntries(QUOTA_FIELDS.map((q) => [q, numberOrNull(v.quotas?.[q])])),
      };
      if (v.role !== user.role) body.role = v.role;
      const plan = v.plan.trim();
      if (plan !== user.plan) body.plan = plan;
      return unwrap(api.PATCH("/api/v1/admin/users/{user_id}", { params: { path: { user_id: user.id } }, body }));
    },
    onSuccess: (u) => {
      void message.success(t("admin.userSaved", { email: u.email }));
      void client.invalidateQueries({ queryKey: ["admin"] });
      void client.invalidateQueries({ queryKey: queryKeys.me() });
      void client.invalidateQueries({ queryKey: queryKeys.usage() });
      onClose();
    },
    onError: (e) => applyFieldErrors(form, e, KNOWN_FIELDS),
  });

  // The server's message shows under the field it names; otherwise above the form.
  const fieldError = fieldErrors(save.error, KNOWN_FIELDS).length > 0;
  const eff = effective.data?.quotas;
  const current = (q: QuotaField, show: (n: number) => string) => {
    if (!eff) return undefined;
    const v = eff[q];
    return t("admin.quotaEffective", { value: v === null || v === undefined ? t("settings.unlimited") : show(v) });
  };
  const quotaItem = (q: QuotaField, label: string, unit: string, show: (n: number) => string, min: number, step = 1) => (
    <Col xs={24} sm={12} key={q}>
      <Form.Item name={["quotas", q]} label={label} extra={current(q, show)}>
        <InputNumber
          min={min}
          step={step}
          precision={q === "render_seconds_per_day" || q === "max_duration_s" ? 1 : q.startsWith("cost_") ? 2 : 0}
          placeholder={t("admin.quotaPlanDefault")}
          suffix={unit}
          style={{ width: "100%" }}
          data-testid={`quota-${q}`}
        />
      </Form.Item>
    </Col>
  );

  return (
    <Drawer
      open={requested !== null}
      onClose={onClose}
      size={drawerSize}
      title={t("admin.editTitle")}
      data-testid="admin-user-edit"
      afterOpenChange={(open) => !open && save.reset()}
      footer={
        <Flex justify="end" gap={8}>
          <Button onClick={onClose}>{t("common.cancel")}</Button>
          <Button type="primary" loading={save.isPending} onClick={() => form.submit()} data-testid="admin-user-save">
            {t("common.save")}
          </Button>
        </Flex>
      }
    >
      {user && (
        <Form<Fields> form={form} layout="vertical" requiredMark={false} disabled={save.isPending} onFinish={(v) => save.mutate(v)}>
          <Typography.Paragraph style={{ wordBreak: "break-all" }}>
            <Typography.Text strong>{user.email}</Typography.Text>
            {user.display_name && <Typography.Text type="secondary"> · {user.display_name}</Typography.Text>}
          </Typography.Paragraph>
          {save.isError && !fieldError && (
            <Alert type="error" showIcon role="alert" title={errorMessage(save.error)} style={{ marginBottom: 16 }} />
          )}
          <Row gutter={16}>
            <Col xs={24} sm={12}>
              <Form.Item name="role" label={t("admin.role")} extra={self ? t("admin.selfRole") : undefined}>
                <Select
                  disabled={self}
                  options={ROLES.map((r) => ({ value: r, label: roleLabel(t, r) }))}
                  data-testid="admin-user-role"
                />
              </Form.Item>
            </Col>
            <Col xs={24} sm={12}>
              <Form.Item
                name="plan"
                label={t("admin.plan")}
                rules={[
                  { required: true, whitespace: true, message: t("admin.planRequired") },
                  { max: 32, message: t("settings.tooLong", { n: 32 }) },
                ]}
              >
                <AutoComplete options={plans.map((p) => ({ value: p, label: p }))} data-testid="admin-user-plan" />
              </Form.Item>
            </Col>
          </Row>
          <Divider titlePlacement="start" style={{ marginTop: 0 }}>
            {t("admin.quotaOverrides")}
          </Divider>
          <Typography.Paragraph type="secondary">{t("admin.quotaHelp")}</Typography.Paragraph>
          <Row gutter={16}>
            {quotaItem("images_per_day", t("admin.quotaImages"), "", (n) => f.number(n), 0)}
            {quotaItem("videos_per_day", t("admin.quotaVideos"), "", (n) => f.number(n), 0)}
            {quotaItem("render_seconds_per_day", t("admin.quotaRender"), t("admin.unitSeconds"), f.duration, 0, 60)}
            {quotaItem("max_duration_s", t("admin.quotaDuration"), t("admin.unitSeconds"), f.duration, 1, 10)}
            {quotaItem("max_resolution", t("admin.quotaResolution"), "p", (n) => `${n}p`, 144, 120)}
            {quotaItem("cost_per_day", t("admin.budgetPerDay"), currency, (n) => f.money(n, currency), 0, 0.5)}
            {quotaItem("cost_per_project", t("admin.budgetPerProject"), currency, (n) => f.money(n, currency), 0, 0.5)}
          </Row>
          <Button
            type="link"
            style={{ padding: 0 }}
            onClick={() => form.setFieldsValue({ quotas: Object.fromEntries(QUOTA_FIELDS.map((q) => [q, null])) as Quotas })}
            data-testid="admin-user-clear-quotas"
          >
            {t("admin.quotaClear")}
          </Button>
        </Form>
      )}
    </Drawer>
  );
}
