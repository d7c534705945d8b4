import { ReloadOutlined } from "@ant-design/icons";
import { Button, Drawer, Flex, Skeleton, Tag, Typography } from "antd";
import { useT } from "../../i18n";
import { QueryError } from "../../components/QueryError";
import { UsageView } from "../settings/UsageView";
import { useDrawerSize } from "../../lib/useDrawerSize";
import { useLast } from "../../lib/useLast";
import { useUserUsage, type AdminUser } from "./api";

const ADMIN_USAGE_DAYS = 14;

/** One user's usage per day and their effective quotas. */
export function UserUsageDrawer({ user: requested, onClose }: { user: AdminUser | null; onClose: () => void }) {
  const t = useT();
  const drawerSize = useDrawerSize(820);
  const user = useLast(requested);
  const usage = useUserUsage(user?.id ?? null, ADMIN_USAGE_DAYS);
  return (
    <Drawer
      open={requested !== null}
      onClose={onClose}
      size={drawerSize}
      title={t("admin.usageTitle")}
      data-testid="admin-usage-drawer"
    >
      {user && (
        <Flex vertical gap={16}>
          <Flex justify="space-between" align="center" gap={8} wrap="wrap">
            <Flex align="center" gap={8} wrap="wrap" style={{ minWidth: 0 }}>
              <Typography.Text strong style={{ wordBreak: "break-all" }}>
                {user.email}
              </Typography.Text>
              <Tag color="blue">{t("admin.planTag", { plan: usage.data?.plan ?? user.plan })}</Tag>
            </Flex>
            <Button
              size="small"
              icon={<ReloadOutlined />}
              loading={usage.isFetching && !usage.isPending}
              onClick={() => void usage.refetch()}
            >
              {t("admin.refresh")}
            </Button>
          </Flex>
          {usage.isPending ? (
            <Skeleton active paragraph={{ rows: 8 }} />
          ) : usage.isError ? (
            <QueryError error={usage.error} onRetry={() => void usage.refetch()} />
          ) : (
            <UsageView usage={usage.data} detailed headingLevel={2} />
          )}
        </Flex>
      )}
    </Drawer>
  );
}
