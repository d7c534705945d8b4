import { BarChartOutlined, CheckCircleOutlined, EditOutlined, SearchOutlined, StopOutlined } from "@ant-design/icons";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { App, Badge, Button, Card, Empty, Flex, Grid, Input, Pagination, Popconfirm, Skeleton, Table, Tag, Tooltip, Typography } from "antd";
import { useEffect, useMemo, useState } from "react";
import { api, errorMessage, unwrap } from "../../api/client";
import { queryKeys, useMe } from "../../api/queries";
import { CardTitle } from "../../components/CardTitle";
import { useT } from "../../i18n";
import { useFormat } from "../../lib/format";
import { QueryError } from "../../components/QueryError";
import { roleLabel } from "../settings/roles";
import { ScrollRegion } from "../../components/ScrollRegion";
import { DEFAULT_PLANS, overrideCount, type AdminUser } from "./api";
import { UserEditDrawer } from "./UserEditDrawer";
import { UserUsageDrawer } from "./UserUsageDrawer";

const PAGE_SIZE = 20;
const SEARCH_DELAY_MS = 300;

const ROLE_COLORS: Record<string, string> = { admin: "purple", user: "default", viewer: "geekblue", guest: "magenta" };

function useDebounced<T>(value: T, ms: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return debounced;
}

function RoleTag({ role }: { role: string }) {
  const t = useT();
  return <Tag color={ROLE_COLORS[role]}>{roleLabel(t, role)}</Tag>;
}

function PlanTags({ user }: { user: AdminUser }) {
  const t = useT();
  const n = overrideCount(user);
  return (
    <Flex gap={4} wrap="wrap">
      <Tag color="blue">{user.plan}</Tag>
      {n > 0 && <Tag>{t("admin.overrides", { n })}</Tag>}
    </Flex>
  );
}

function StatusBadge({ disabled }: { disabled: boolean }) {
  const t = useT();
  return <Badge status={disabled ? "error" : "success"} text={disabled ? t("admin.disabled") : t("admin.active")} />;
}

interface ActionsProps {
  user: AdminUser;
  self: boolean;
  busy: boolean;
  onEdit: () => void;
  onUsage: () => void;
  onToggle: () => void;
}

function UserActions({ user, self, busy, onEdit, onUsage, onToggle }: ActionsProps) {
  const t = useT();
  const toggleButton = (
    <Button
      size="small"
      danger={!user.disabled}
      icon={user.disabled ? <CheckCircleOutlined /> : <StopOutlined />}
      disabled={self}
      loading={busy}
      aria-label={user.disabled ? t("admin.enableLabel", { email: user.email }) : t("admin.disableLabel", { email: user.email })}
      data-testid="admin-user-toggle"
    >
      {user.disabled ? t("admin.enable") : t("admin.disable")}
    </Button>
  );
  return (
    <Flex gap={6} wrap="wrap">
      <Button
        size="small"
        icon={<EditOutlined />}
        onClick={onEdit}
        aria-label={t("admin.editLabel", { email: user.email })}
        data-testid="admin-user-edit-open"
      >
        {t("common.edit")}
      </Button>
      <Button
        size="small"
        icon={<BarChartOutlined />}
        onClick={onUsage}
        aria-label={t("admin.usageLabel", { email: user.email })}
        data-testid="admin-user-usage"
      >
        {t("admin.usage")}
      </Button>
      {self ? (
        <Tooltip title={t("admin.selfDisable")}>
          <span>{toggleButton}</span>
        </Tooltip>
      ) : (
        <Popconfirm
          title={user.disabled ? t("admin.enableTitle", { email: user.email }) : t("admin.disableTitle", { email: user.email })}
          description={user.disabled ? t("admin.enableText") : t("admin.disableText")}
          okText={user.disabled ? t("admin.enable") : t("admin.disable")}
          okButtonProps={{ danger: !user.disabled }}
          cancelText={t("common.cancel")}
          onConfirm={onToggle}
        >
          {toggleButton}
        </Popconfirm>
      )}
    </Flex>
  );
}

/** Every account: search by email, pages; edit role, plan and quotas, see usage, disable. */
export function UsersTab() {
  const t = useT();
  const f = useFormat();
  const { message } = App.useApp();
  const client = useQueryClient();
  const me = useMe();
  const phone = Grid.useBreakpoint().md === false;
  const [searchText, setSearchText] = useState("");
  const search = useDebounced(searchText.trim(), SEARCH_DELAY_MS);
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(PAGE_SIZE);
  const [editing, setEditing] = useState<string | null>(null);
  const [usageOf, setUsageOf] = useState<AdminUser | null>(null);

  const users = useQuery({
    queryKey: queryKeys.admin("users", { search, page, pageSize }),
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/admin/users", {
          params: { query: { search: search || undefined, page, page_size: pageSize } },
        }),
      ),
    placeholderData: keepPreviousData,
  });

  const toggle = useMutation({
    mutationFn: (user: AdminUser) =>
      unwrap(
        api.PATCH("/api/v1/admin/users/{user_id}", {
          params: { path: { user_id: user.id } },
          body: { disabled: !user.disabled },
        }),
      ),
    onSuccess: (u) => {
      void message.success(u.disabled ? t("admin.userDisabled", { email: u.email }) : t("admin.userEnabled", { email: u.email }));
      void client.invalidateQueries({ queryKey: ["admin"] });
    },
    onError: (e) => void message.error(errorMessage(e)),
  });

  const items = useMemo(() => users.data?.items ?? [], [users.data]);
  const plans = useMemo(() => [...new Set([...DEFAULT_PLANS, ...items.map((u) => u.plan)])].sort(), [items]);
  const editingUser = items.find((u) => u.id === editing) ?? null;
  const actions = (u: AdminUser) => (
    <UserActions
      user={u}
      self={u.id === me.data?.id}
      busy={toggle.isPending && toggle.variables?.id === u.id}
      onEdit={() => setEditing(u.id)}
      onUsage={() => setUsageOf(u)}
      onToggle={() => toggle.mutate(u)}
    />
  );
  const email = (u: AdminUser) => (
    <Flex gap={6} align="center" wrap="wrap" style={{ minWidth: 0 }}>
      <Typography.Text strong style={{ wordBreak: "break-all" }}>
        {u.email}
      </Typography.Text>
      {u.id === me.data?.id && <Tag>{t("admin.you")}</Tag>}
    </Flex>
  );
  const onPage = (p: number, size: number) => {
    setPage(size !== pageSize ? 1 : p);
    setPageSize(size);
  };

  return (
    <Card
      title={
        <CardTitle>
          {t("admin.users")}
          {users.data && (
            <Typography.Text type="secondary" style={{ fontSize: 14, fontWeight: "normal", marginLeft: 8 }}>
              {search ? t("admin.usersFound", { n: users.data.total }) : t("admin.usersTotal", { n: users.data.total })}
            </Typography.Text>
          )}
        </CardTitle>
      }
    >
      <Flex vertical gap={16}>
        <Input
          allowClear
          prefix={<SearchOutlined />}
          placeholder={t("admin.searchPlaceholder")}
          aria-label={t("admin.search")}
          value={searchText}
          onChange={(e) => {
            setSearchText(e.target.value);
            setPage(1);
          }}
          maxLength={320}
          style={{ maxWidth: 360 }}
          data-testid="admin-users-search"
        />
        {users.isPending ? (
          <Skeleton active paragraph={{ rows: 6 }} />
        ) : users.isError ? (
          <QueryError error={users.error} onRetry={() => void users.refetch()} />
        ) : users.data.total === 0 ? (
          <Empty description={search ? t("admin.noMatch", { q: search }) : t("admin.noUsers")} />
        ) : phone ? (
          <Flex vertical gap={8} data-testid="admin-users-table" aria-busy={users.isFetching && users.isPlaceholderData}>
            {items.map((u) => (
              <Card size="small" key={u.id} data-testid="admin-user-card">
                <Flex vertical gap={6}>
                  {email(u)}
                  {u.display_name && <Typography.Text type="secondary">{u.display_name}</Typography.Text>}
                  <Flex gap={4} wrap="wrap" align="center">
                    <RoleTag role={u.role} />
                    <PlanTags user={u} />
                    <StatusBadge disabled={u.disabled} />
                  </Flex>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {t("admin.createdOn", { when: f.date(u.created_at) })}
                  </Typography.Text>
                  {actions(u)}
                </Flex>
              </Card>
            ))}
            <Pagination
              simple
              align="center"
              current={page}
              pageSize={pageSize}
              total={users.data.total}
              onChange={onPage}
              hideOnSinglePage
            />
          </Flex>
        ) : (
          <div data-testid="admin-users-table">
            <ScrollRegion label={t("admin.users")}>
              <Table<AdminUser>
                rowKey="id"
                size="middle"
                dataSource={items}
                loading={users.isFetching && users.isPlaceholderData}
                scroll={{ x: "max-content" }}
                pagination={{
                  current: page,
                  pageSize,
                  total: users.data.total,
                  showSizeChanger: true,
                  pageSizeOptions: [20, 50, 100],
                  onChange: onPage,
                  showTotal: (total, [from, to]) => t("admin.range", { from, to, total }),
                }}
                columns={[
                  { title: t("admin.email"), dataIndex: "email", key: "email", render: (_, u) => email(u) },
                  {
                    title: t("admin.name"),
                    dataIndex: "display_name",
                    key: "name",
                    render: (v: string) => v || <Typography.Text type="secondary">—</Typography.Text>,
                  },
                  { title: t("admin.role"), dataIndex: "role", key: "role", render: (v: string) => <RoleTag role={v} /> },
                  { title: t("admin.plan"), dataIndex: "plan", key: "plan", render: (_, u) => <PlanTags user={u} /> },
                  {
                    title: t("admin.status"),
                    dataIndex: "disabled",
                    key: "disabled",
                    render: (v: boolean) => <StatusBadge disabled={v} />,
                  },
                  {
                    title: t("admin.created"),
                    dataIndex: "created_at",
                    key: "created",
                    render: (v: string) => <span title={f.dateTime(v)}>{f.date(v)}</span>,
                  },
                  { title: t("admin.actions"), key: "actions", render: (_, u) => actions(u) },
                ]}
              />
            </ScrollRegion>
          </div>
        )}
      </Flex>
      <UserEditDrawer user={editingUser} self={editingUser?.id === me.data?.id} plans={plans} onClose={() => setEditing(null)} />
      <UserUsageDrawer user={usageOf} onClose={() => setUsageOf(null)} />
    </Card>
  );
}
