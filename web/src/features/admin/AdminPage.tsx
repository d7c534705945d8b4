import { DashboardOutlined, TeamOutlined } from "@ant-design/icons";
import { Result, Skeleton } from "antd";
import { useMe } from "../../api/queries";
import { useT } from "../../i18n";
import { LinkButton } from "../../components/LinkButton";
import { QueryError } from "../../components/QueryError";
import { TabsPage } from "../../components/TabsPage";
import { StatusTab } from "./StatusTab";
import { UsersTab } from "./UsersTab";

/** Administration (administrators only): users, roles, plans and quotas; system status. */
export default function AdminPage() {
  const t = useT();
  const me = useMe();

  if (me.isPending) return <Skeleton active paragraph={{ rows: 8 }} />;
  if (me.isError) return <QueryError error={me.error} onRetry={() => void me.refetch()} />;
  if (me.data.role !== "admin") {
    return (
      <Result
        status="403"
        title={<h1 style={{ fontSize: 24, margin: 0 }}>{t("admin.forbiddenTitle")}</h1>}
        subTitle={t("admin.forbiddenText")}
        data-testid="admin-forbidden"
        extra={
          <LinkButton to="/projects" type="primary">
            {t("admin.backToProjects")}
          </LinkButton>
        }
      />
    );
  }

  return (
    <TabsPage
      title={t("admin.title")}
      testId="admin-tabs"
      tabs={[
        { key: "users", icon: <TeamOutlined />, label: t("admin.tabUsers"), children: <UsersTab /> },
        { key: "status", icon: <DashboardOutlined />, label: t("admin.tabStatus"), children: <StatusTab /> },
      ]}
    />
  );
}
