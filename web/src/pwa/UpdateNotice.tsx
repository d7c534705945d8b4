/** "A new version is available — Reload": shown while a new build's service worker waits, until
 * the person reloads into it or puts it off. */
import { CloudDownloadOutlined } from "@ant-design/icons";
import { App, Button, Space } from "antd";
import { useEffect } from "react";
import { useT } from "../i18n";

const KEY = "studio-update";

export function UpdateNotice({ open, onReload, onLater }: { open: boolean; onReload: () => void; onLater: () => void }) {
  const t = useT();
  const { notification } = App.useApp();
  useEffect(() => {
    if (!open) return;
    notification.open({
      key: KEY,
      title: t("pwa.update.title"),
      description: t("pwa.update.text"),
      icon: <CloudDownloadOutlined style={{ color: "#5b3df5" }} />,
      duration: false,
      placement: "bottomRight",
      props: { "data-testid": "update-prompt" } as React.HTMLAttributes<HTMLDivElement>,
      actions: (
        <Space>
          <Button onClick={() => { notification.destroy(KEY); onLater(); }} data-testid="update-later">
            {t("pwa.update.later")}
          </Button>
          <Button type="primary" onClick={onReload} data-testid="update-reload">
            {t("pwa.update.reload")}
          </Button>
        </Space>
      ),
      onClose: onLater,
    });
    return () => notification.destroy(KEY);
  }, [notification, onLater, onReload, open, t]);
  return null;
}
