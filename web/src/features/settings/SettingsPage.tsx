import { ApiOutlined, KeyOutlined, UserOutlined } from "@ant-design/icons";
import { Tabs, Typography } from "antd";
import { useSearchParams } from "react-router-dom";
import { useT } from "../../i18n";
import { ApiKeysTab } from "./ApiKeysTab";
import { ProfileTab } from "./ProfileTab";
import { WebhooksTab } from "./WebhooksTab";

const TABS = ["profile", "api-keys", "webhooks"] as const;
type Tab = (typeof TABS)[number];

function isTab(v: string | null): v is Tab {
  return (TABS as readonly (string | null)[]).includes(v);
}

/** Your account: profile, password and quota use; API keys; webhooks. The tab is in `?tab=`
 * so each one can be linked to. */
export default function SettingsPage() {
  const t = useT();
  const [params, setParams] = useSearchParams();
  const requested = params.get("tab");
  const tab: Tab = isTab(requested) ? requested : "profile";
  return (
    <>
      <Typography.Title level={1} style={{ fontSize: 24, marginTop: 0, marginBottom: 8 }}>
        {t("settings.title")}
      </Typography.Title>
      <div data-testid="settings-tabs">
        <Tabs
          activeKey={tab}
          onChange={(key) => setParams(key === "profile" ? {} : { tab: key }, { replace: false })}
          items={[
            { key: "profile", icon: <UserOutlined />, label: t("settings.tabProfile"), children: <ProfileTab /> },
            { key: "api-keys", icon: <KeyOutlined />, label: t("settings.tabKeys"), children: <ApiKeysTab /> },
            { key: "webhooks", icon: <ApiOutlined />, label: t("settings.tabWebhooks"), children: <WebhooksTab /> },
          ]}
          destroyOnHidden
        />
      </div>
    </>
  );
}
