/** "Export for editors": the project's finished render as a bundle, a JianYing/CapCut draft, FCP7
 * XML, OpenTimelineIO or an EDL (docs/exports.md). The file is fetched with the session's token and
 * saved under the server's name; the item spins while it comes, and a refusal (e.g. 409: the
 * render is outdated) is shown in the server's words. Disabled, saying why, without a render. */
import { DownOutlined, ExportOutlined, LoadingOutlined } from "@ant-design/icons";
import { App, Button, Dropdown, Tooltip, type MenuProps } from "antd";
import { useState } from "react";
import { errorMessage } from "../../api/client";
import { useT } from "../../i18n";
import { downloadExport, EXPORT_FORMATS, type ExportFormat } from "./exports";

export function ExportMenu({ projectId, disabledReason }: { projectId: string; disabledReason: string | null }) {
  const t = useT();
  const { message } = App.useApp();
  const [busy, setBusy] = useState<ExportFormat | null>(null);
  const [open, setOpen] = useState(false);
  const disabled = disabledReason !== null;

  const choose = async (format: ExportFormat) => {
    if (busy) return;
    setBusy(format);
    try {
      await downloadExport(projectId, format);
      setOpen(false);
    } catch (e) {
      void message.error(t("studio.export.failed", { message: errorMessage(e) }));
    } finally {
      setBusy(null);
    }
  };

  const items: MenuProps["items"] = EXPORT_FORMATS.map((format) => ({
    key: format,
    disabled: busy !== null && busy !== format,
    icon: busy === format ? <LoadingOutlined aria-hidden /> : undefined,
    label: (
      <div data-testid={`export-${format}`} data-busy={busy === format || undefined}>
        <div>{t(`studio.export.${format}`)}</div>
        <div style={{ fontSize: 12, color: "rgba(0,0,0,0.45)", whiteSpace: "normal" }}>{t(`studio.export.${format}Hint`)}</div>
      </div>
    ),
  }));

  return (
    <Tooltip title={disabledReason ?? t("studio.export.hint")}>
      {/* A disabled button swallows the pointer events its tooltip needs: the span keeps them. */}
      <span style={{ display: "inline-block" }} data-testid="export-menu-wrapper">
        <Dropdown
          trigger={["click"]}
          disabled={disabled}
          open={open && !disabled}
          // Keep the menu open while a file comes, so its item can show it is loading.
          onOpenChange={(next, info) => {
            if (info.source === "menu") return;
            if (!busy) setOpen(next);
          }}
          menu={{ items, onClick: ({ key }) => void choose(key as ExportFormat), style: { maxWidth: 360 } }}
        >
          <Button icon={<ExportOutlined />} disabled={disabled} loading={busy !== null} data-testid="export-menu">
            {t("studio.export.button")} <DownOutlined aria-hidden style={{ fontSize: 10 }} />
          </Button>
        </Dropdown>
      </span>
    </Tooltip>
  );
}
