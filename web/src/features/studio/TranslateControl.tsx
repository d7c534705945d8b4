/** "Translate": a new project with the narration in another language. Disabled, with the
 * server's reason (the settings to set), when no language model is configured. */
import { TranslationOutlined } from "@ant-design/icons";
import { App, Button, Checkbox, Modal, Select, Space, Tooltip, Typography, type ButtonProps } from "antd";
import { useState } from "react";
import { useNavigate } from "react-router-dom";
import { errorMessage } from "../../api/client";
import { useT } from "../../i18n";
import type { Project } from "./editor/types";
import { translationBlocked, useTranslateProject, useTranslationCapability } from "./translate";

export function TranslateControl({ project }: { project: Project }) {
  const t = useT();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const capability = useTranslationCapability(true);
  const translate = useTranslateProject(project.id);
  const languages = (capability.data?.languages ?? []).filter((l) => l.code !== project.detected_language);
  const [open, setOpen] = useState(false);
  const [to, setTo] = useState<string | undefined>(undefined);
  const [bilingual, setBilingual] = useState(false);
  const blocked = translationBlocked(capability.data);
  const noShots = project.shots.length === 0;
  const hint = capability.isLoading
    ? t("studio.translate.checking")
    : blocked
      ? t("studio.translate.unavailable", { reason: blocked })
      : t("studio.translate.title");
  const target = to ?? languages[0]?.code;

  const submit = () => {
    if (!target) return;
    translate.mutate(
      { to: target, bilingual_subtitles: bilingual, voice: "auto" },
      {
        onSuccess: (copy) => {
          setOpen(false);
          void message.success(t("studio.translate.done"));
          navigate(`/projects/${copy.id}`);
        },
        onError: (e) => void message.error(errorMessage(e)),
      },
    );
  };

  return (
    <>
      <Tooltip title={hint}>
        <Button
          icon={<TranslationOutlined />}
          onClick={() => setOpen(true)}
          disabled={capability.isLoading || blocked !== null || noShots}
          data-testid="project-translate"
          className="studio-hide-phone"
        >
          {t("studio.translate.open")}
        </Button>
      </Tooltip>
      <Modal
        open={open}
        title={t("studio.translate.title")}
        okText={t("studio.translate.ok")}
        cancelText={t("common.cancel")}
        onOk={submit}
        onCancel={() => setOpen(false)}
        confirmLoading={translate.isPending}
        okButtonProps={{ disabled: !target, "data-testid": "project-translate-ok" } as ButtonProps}
      >
        <Space direction="vertical" style={{ width: "100%" }}>
          <Typography.Paragraph type="secondary">{t("studio.translate.text")}</Typography.Paragraph>
          <label>
            {t("studio.translate.to")}{" "}
            <Select
              value={target}
              onChange={setTo}
              style={{ minWidth: 200 }}
              options={languages.map((l) => ({ value: l.code, label: l.name }))}
              data-testid="project-translate-to"
            />
          </label>
          <Checkbox checked={bilingual} onChange={(e) => setBilingual(e.target.checked)} data-testid="project-translate-bilingual">
            {t("studio.translate.bilingual")}
          </Checkbox>
        </Space>
      </Modal>
    </>
  );
}
