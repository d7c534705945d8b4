import { CheckOutlined, CopyOutlined } from "@ant-design/icons";
import { App, Button, Flex, Typography } from "antd";
import { useEffect, useState } from "react";
import { useT } from "../../i18n";
import { copyText } from "./clipboard";

/** A secret in a monospace box with a Copy button (shows "Copied" for a moment). */
export function SecretBox({ secret, label, testId }: { secret: string; label: string; testId: string }) {
  const t = useT();
  const { message } = App.useApp();
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (!copied) return;
    const timer = setTimeout(() => setCopied(false), 2_000);
    return () => clearTimeout(timer);
  }, [copied]);
  const copy = () =>
    copyText(secret).then(
      () => {
        setCopied(true);
        void message.success(t("common.copied"));
      },
      () => void message.error(t("settings.copyFailed")),
    );
  return (
    <Flex gap={8} align="stretch" wrap="wrap">
      <Typography.Text
        code
        data-testid={testId}
        style={{
          flex: "1 1 220px",
          minWidth: 0,
          wordBreak: "break-all",
          padding: "6px 8px",
          margin: 0,
          fontSize: 13,
          userSelect: "all",
        }}
      >
        {secret}
      </Typography.Text>
      <Button icon={copied ? <CheckOutlined /> : <CopyOutlined />} onClick={() => void copy()} aria-label={`${t("common.copy")}: ${label}`}>
        {copied ? t("common.copied") : t("common.copy")}
      </Button>
    </Flex>
  );
}
