import { DashboardOutlined, TeamOutlined } from "@ant-design/icons";
import { Button, Result, Skeleton, Tabs, Typography } from "antd";
import { useNavigate, useSearchParams } from "react-router-dom";
import { useMe } from "../../api/queries";
import { useT } from "../../i18n";
import { QueryError } from "../settings/QueryError";
import { StatusTab } from "./StatusTab";
import { UsersTab } from "./UsersTab";

const TABS = ["users", "status"] as const;
type Tab = (typeof TABS)[number];

function isTab(v: string | null): v is Tab {
  return (TABS as readonly (string | null)[]).includes(v);
}

/** Administration (administrators only): users, roles, plans and quotas; system status. */
export default function AdminPage() {
  const t = useT();
  const me = useMe();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const requested = params.get("tab");
  const tab: Tab = isTab(requested) ? requested : "users";

  if (me.isPending) return <Skeleton active paragraph={{ rows: 8 }} />;
  if (me.isError) return <QueryError error={me.error} onRetry={() => void me.refetch()} />;
  if (me.data.role !== "admin") {
    return (
      <>
        <Result
          status="403"
          title={<h1 style={{ fontSize: 24, margin: 0 }}>{t("admin.forbiddenTitle")}</h1>}
          subTitle={t("admin.forbiddenText")}
          data-testid="admin-forbidden"
          extra={
            <Button type="primary" onClick={() => navigate("/projects")}>
              {t("admin.backToProjects")}
            </Button>
          }
        />
      </>
    );
  }

  return (
    <>
      <Typography.Title level={1} style={{ fontSize: 24, marginTop: 0, marginBottom: 8 }}>
        {t("admin.title")}
      </Typography.Title>
      <div data-testid="admin-tabs">
        <Tabs
          activeKey={tab}
          onChange={(key) => setParams(key === "users" ? {} : { tab: key })}
          destroyOnHidden
          items={[
            { key: "users", icon: <TeamOutlined />, label: t("admin.tabUsers"), children: <UsersTab /> },
            { key: "status", icon: <DashboardOutlined />, label: t("admin.tabStatus"), children: <StatusTab /> },
          ]}
        />
      </div>
    </>
  );
}
