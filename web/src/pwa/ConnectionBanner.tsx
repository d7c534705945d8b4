/** The message shown while the server cannot be reached: why (this device is offline, or the
 * server did not answer), that the studio keeps trying, and a button to try now. The pages
 * under it stay as they were (the app shell comes from the service worker). */
import { DisconnectOutlined } from "@ant-design/icons";
import { Alert, Button } from "antd";
import { useSyncExternalStore } from "react";
import { useT } from "../i18n";
import { connection as studioConnection, type Connection } from "./connection";

export function useConnection(connection: Connection = studioConnection) {
  return useSyncExternalStore(
    (listener) => connection.subscribe(listener),
    () => connection.state,
  );
}

export function ConnectionBanner({ connection = studioConnection }: { connection?: Connection }) {
  const t = useT();
  const { offline, checking } = useConnection(connection);
  if (!offline) return null;
  return (
    <Alert
      banner
      type="warning"
      icon={<DisconnectOutlined />}
      showIcon
      role="alert"
      data-testid="offline-banner"
      data-reason={offline}
      title={t("pwa.offline.title")}
      description={
        <>
          {offline === "browser" ? t("pwa.offline.browser") : t("pwa.offline.server")}{" "}
          {checking ? t("pwa.offline.checking") : t("pwa.offline.retrying")}
        </>
      }
      action={
        <Button size="small" loading={checking} onClick={() => void connection.retry()} data-testid="offline-retry">
          {t("pwa.offline.retry")}
        </Button>
      }
      style={{ position: "sticky", top: 0, zIndex: 30 }}
    />
  );
}
