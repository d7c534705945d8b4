import {
  AppstoreOutlined,
  BulbOutlined,
  LogoutOutlined,
  PictureOutlined,
  MenuOutlined,
  SettingOutlined,
  ToolOutlined,
  UserOutlined,
} from "@ant-design/icons";
import { Button, Drawer, Dropdown, Grid, Layout, Menu, Progress, Space, Tooltip, Typography } from "antd";
import { useState } from "react";
import { Link, Outlet, useLocation, useNavigate } from "react-router-dom";
import { api } from "../api/client";
import { useMe, useUsage } from "../api/queries";
import { session } from "../auth/session";
import { LanguageSwitch } from "../components/LanguageSwitch";
import { useT } from "../i18n";
import { Logo } from "../components/Logo";

const { Header, Content } = Layout;

async function signOut(): Promise<void> {
  const refresh = session.refreshToken;
  if (refresh) {
    // Revoke the refresh token on the server; sign out locally whatever it answers.
    await api.POST("/api/v1/auth/logout", { body: { refresh_token: refresh } }).catch(() => undefined);
  }
  session.end();
}

/** Today's image use against the quota, as a small meter in the header (the projects page and
 * the settings show the rest). */
function QuotaMeter() {
  const t = useT();
  const usage = useUsage();
  if (!usage.data) return null;
  const used = usage.data.today.images;
  const limit = usage.data.quotas.images_per_day;
  if (limit === null || limit === undefined) return null;
  const percent = Math.min(100, Math.round((used / Math.max(1, limit)) * 100));
  const label = t("common.quotaImages", { used, limit });
  return (
    <Tooltip title={label}>
      <Link to="/settings" aria-label={label} data-testid="quota-gauge" style={{ display: "inline-flex", alignItems: "center", gap: 6 }}>
        <PictureOutlined aria-hidden style={{ color: "rgba(0,0,0,0.6)" }} />
        <Typography.Text style={{ fontSize: 13, whiteSpace: "nowrap" }}>
          {used} / {limit}
        </Typography.Text>
        <Progress
          percent={percent}
          size={{ width: 44, height: 6 }}
          showInfo={false}
          status={percent >= 100 ? "exception" : "normal"}
          aria-label={label}
        />
      </Link>
    </Tooltip>
  );
}

export function AppLayout() {
  const t = useT();
  const me = useMe();
  const location = useLocation();
  const navigate = useNavigate();
  const screens = Grid.useBreakpoint();
  const [drawer, setDrawer] = useState(false);
  const phone = !screens.md;
  const isAdmin = me.data?.role === "admin";

  const items = [
    { key: "/projects", icon: <AppstoreOutlined />, label: <Link to="/projects">{t("nav.projects")}</Link> },
    { key: "/assistant", icon: <BulbOutlined />, label: <Link to="/assistant">{t("assistant.nav")}</Link> },
    { key: "/settings", icon: <SettingOutlined />, label: <Link to="/settings">{t("nav.settings")}</Link> },
    ...(isAdmin ? [{ key: "/admin", icon: <ToolOutlined />, label: <Link to="/admin">{t("nav.admin")}</Link> }] : []),
  ];
  const selected = items.map((i) => i.key).filter((k) => location.pathname.startsWith(k));

  const userMenu = {
    items: [
      { key: "who", label: me.data?.email ?? "", disabled: true },
      { type: "divider" as const },
      { key: "settings", icon: <SettingOutlined />, label: t("nav.settings") },
      { key: "logout", icon: <LogoutOutlined />, label: t("nav.signOut") },
    ],
    onClick: ({ key }: { key: string }) => {
      if (key === "settings") navigate("/settings");
      if (key === "logout") void signOut().then(() => navigate("/login"));
    },
  };

  return (
    <Layout style={{ minHeight: "100vh" }}>
      <Header
        className="app-header"
        style={{
          display: "flex",
          alignItems: "center",
          gap: 16,
          background: "#fff",
          borderBottom: "1px solid #eceef3",
          padding: phone ? "0 12px" : "0 24px",
          position: "sticky",
          top: 0,
          zIndex: 10,
        }}
      >
        {phone && (
          <Button type="text" icon={<MenuOutlined />} aria-label={t("nav.menu")} onClick={() => setDrawer(true)} />
        )}
        <Link to="/projects" aria-label="storyreel" style={{ display: "flex", alignItems: "center" }}>
          <Logo />
        </Link>
        {!phone && (
          <Menu
            mode="horizontal"
            selectedKeys={selected}
            items={items}
            style={{ flex: 1, minWidth: 0, borderBottom: "none" }}
            aria-label={t("nav.main")}
          />
        )}
        <Space size={phone ? 4 : 16} align="center" style={{ marginLeft: "auto" }}>
          {!phone && <QuotaMeter />}
          <LanguageSwitch />
          <Dropdown menu={userMenu} trigger={["click"]}>
            <Button type="text" icon={<UserOutlined />} aria-label={t("nav.account")} data-testid="account-menu">
              {!phone && <Typography.Text ellipsis style={{ maxWidth: 160 }}>{me.data?.display_name || me.data?.email}</Typography.Text>}
            </Button>
          </Dropdown>
        </Space>
      </Header>
      <Drawer open={drawer} onClose={() => setDrawer(false)} placement="left" size={260} title="storyreel">
        <Menu mode="vertical" selectedKeys={selected} items={items} onClick={() => setDrawer(false)} aria-label={t("nav.main")} />
      </Drawer>
      <Content style={{ padding: phone ? 12 : 24 }}>
        <div style={{ maxWidth: 1320, margin: "0 auto" }}>
          <Outlet />
        </div>
      </Content>
    </Layout>
  );
}
