import { ApiOutlined, CloudServerOutlined, KeyOutlined, UserOutlined } from "@ant-design/icons";
import { TabsPage } from "../../components/TabsPage";
import { useT } from "../../i18n";
import { ApiKeysTab } from "./ApiKeysTab";
import { ProfileTab } from "./ProfileTab";
import { ProvidersTab } from "./ProvidersTab";
import { WebhooksTab } from "./WebhooksTab";

/** Your account: profile, password and quota use; AI providers (routes and your own provider
 * keys); API keys; webhooks. The tab is in `?tab=`
 * so each one can be linked to. */
export default function SettingsPage() {
  const t = useT();
  return (
    <TabsPage
      title={t("settings.title")}
      testId="settings-tabs"
      tabs={[
        { key: "profile", icon: <UserOutlined />, label: t("settings.tabProfile"), children: <ProfileTab /> },
        { key: "providers", icon: <CloudServerOutlined />, label: t("settings.tabProviders"), children: <ProvidersTab /> },
        { key: "api-keys", icon: <KeyOutlined />, label: t("settings.tabKeys"), children: <ApiKeysTab /> },
        { key: "webhooks", icon: <ApiOutlined />, label: t("settings.tabWebhooks"), children: <WebhooksTab /> },
      ]}
    />
  );
}
