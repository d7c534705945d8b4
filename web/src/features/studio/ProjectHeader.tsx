/** The project's title (editable), style, aspect and status, and what can be done next: beside
 * the title, or at phone width in a bar along the bottom of the screen, within thumb's reach. */
import { ArrowLeftOutlined, CopyOutlined, DisconnectOutlined, LoadingOutlined, MoreOutlined, SettingOutlined, PlayCircleOutlined, RedoOutlined, ReloadOutlined } from "@ant-design/icons";
import { App, Button, Dropdown, Space, Tag, Tooltip, Typography } from "antd";
import { useState } from "react";
import { Link, useNavigate } from "react-router-dom";
import { errorMessage } from "../../api/client";
import { useStyles } from "../../api/queries";
import { LIMITS } from "../../api/schema-constants.gen";
import { useI18n, useT } from "../../i18n";
import { formatDuration } from "../../lib/format";
import { PHONE_QUERY, useMediaQuery } from "../../lib/useMediaQuery";
import { useDuplicateProject, useRegenerateStoryboard, useRender, useUpdateProject } from "./api";
import { continueAction, type Permissions } from "./editor/permissions";
import type { Project } from "./editor/types";
import { Pill, type Tone } from "./Pill";
import { ProjectSettings } from "./ProjectSettings";
import { ShareButton } from "./ShareButton";
import { TranslateControl } from "./TranslateControl";

const STATUS_TONE: Record<Project["status"], Tone> = {
  draft: "grey",
  running: "purple",
  failed: "red",
  done: "green",
};

export function ProjectHeader({ project, perms, livePaused }: { project: Project; perms: Permissions; livePaused: boolean }) {
  const t = useT();
  const { lang } = useI18n();
  const { message, modal } = App.useApp();
  const navigate = useNavigate();
  const update = useUpdateProject(project.id);
  const again = useRegenerateStoryboard(project.id);
  const duplicate = useDuplicateProject(project.id);
  const render = useRender(project.id);
  const styles = useStyles();
  const style = styles.data?.find((s) => s.id === project.style);
  const styleName = style ? (lang === "zh" ? style.label_zh : style.label) : project.style;
  const next = continueAction(project);
  const write = project.access === "write";
  const duration = project.latest_render?.duration;
  const [settings, setSettings] = useState(false);
  const phone = useMediaQuery(PHONE_QUERY);

  const makeAgain = () =>
    modal.confirm({
      title: t("studio.header.againTitle"),
      content: t("studio.header.againText"),
      okText: t("studio.header.againOk"),
      cancelText: t("common.cancel"),
      okButtonProps: { danger: true, "data-testid": "project-again-confirm" },
      onOk: () =>
        again.mutateAsync().then(
          () => void message.success(t("studio.header.againStarted")),
          (e: unknown) => void message.error(errorMessage(e)),
        ),
    });

  const copy = () =>
    duplicate.mutate(t("studio.header.copyTitle", { title: project.title }).slice(0, 200), {
      onSuccess: (p) => {
        void message.success(t("studio.header.copied"));
        navigate(`/projects/${p.id}`);
      },
      onError: (e) => void message.error(errorMessage(e)),
    });

  const goOn = () =>
    render.mutate(project.quality === "preview" ? "preview" : "final", {
      onSuccess: () => void message.success(t("studio.header.continueStarted")),
      onError: (e) => void message.error(errorMessage(e)),
    });

  const moreItems = [
    ...(write ? [{ key: "again", icon: <ReloadOutlined />, label: t("studio.header.again"), disabled: !perms.canRegenerateStoryboard, danger: true }] : []),
    { key: "copy", icon: <CopyOutlined />, label: t("studio.header.copy") },
  ];

  const actions = (
    <>
      {next === "retryFailed" && (
        <Tooltip title={t("studio.header.retryFailedHint")}>
          <Button type="primary" icon={<RedoOutlined />} onClick={goOn} loading={render.isPending} data-testid="project-continue">
            {t("studio.header.retryFailed")}
          </Button>
        </Tooltip>
      )}
      {next === "makeVideo" && (
        <Tooltip title={t("studio.header.makeVideoHint")}>
          <Button type="primary" icon={<PlayCircleOutlined />} onClick={goOn} loading={render.isPending} data-testid="project-continue">
            {t("studio.header.makeVideo")}
          </Button>
        </Tooltip>
      )}
      {write && (
        <Button icon={<ReloadOutlined />} onClick={makeAgain} disabled={!perms.canRegenerateStoryboard} loading={again.isPending} data-testid="project-again" className="studio-hide-phone">
          {t("studio.header.again")}
        </Button>
      )}
      <TranslateControl project={project} />
      <ShareButton project={project} />
      {write && (
        <Button icon={<SettingOutlined />} onClick={() => setSettings(true)} data-testid="project-settings">
          {t("studio.settings.open")}
        </Button>
      )}
      <Dropdown
        trigger={["click"]}
        placement={phone ? "topRight" : "bottomRight"}
        menu={{
          items: moreItems,
          onClick: ({ key }) => {
            if (key === "again") makeAgain();
            if (key === "copy") copy();
          },
        }}
      >
        <Button icon={<MoreOutlined />} aria-label={t("studio.header.more")} loading={duplicate.isPending} data-testid="project-more">
          {phone && t("studio.header.moreShort")}
        </Button>
      </Dropdown>
    </>
  );

  return (
    <header className="studio-header">
      <Link to="/projects" className="studio-back">
        <ArrowLeftOutlined aria-hidden /> {t("studio.header.back")}
      </Link>
      <div className="studio-header-row">
        <div style={{ flex: "1 1 300px", minWidth: 0 }}>
          <Typography.Title
            level={1}
            className="studio-title"
            style={{ margin: 0 }}
            data-testid="project-title"
            editable={
              write
                ? {
                    tooltip: t("studio.header.rename"),
                    maxLength: LIMITS.ProjectPatch.title.maxLength,
                    triggerType: ["icon", "text"],
                    onChange: (value) => {
                      const title = value.trim();
                      if (!title || title === project.title) return;
                      update.mutate(
                        { title },
                        {
                          onSuccess: () => void message.success(t("studio.header.renamed")),
                          onError: (e) => void message.error(errorMessage(e)),
                        },
                      );
                    },
                  }
                : false
            }
          >
            {update.isPending && update.variables?.title ? update.variables.title : project.title}
          </Typography.Title>
          <Space size={[6, 6]} wrap style={{ marginTop: 8 }}>
            <Pill
              tone={STATUS_TONE[project.status]}
              data-testid="project-status"
              data-status={project.status}
              icon={project.status === "running" ? <LoadingOutlined /> : undefined}
              style={{ fontWeight: 600 }}
            >
              {t(`studio.projectStatus.${project.status}`)}
            </Pill>
            <Tag variant="filled" style={{ marginInlineEnd: 0 }}>
              {t("studio.header.style", { style: styleName })}
            </Tag>
            <Tag variant="filled" style={{ marginInlineEnd: 0 }}>
              {t("studio.header.aspect", { aspect: project.aspect })}
            </Tag>
            <Tag variant="filled" style={{ marginInlineEnd: 0 }}>
              {t("studio.header.shots", { n: project.shots.length })}
            </Tag>
            {typeof duration === "number" && (
              <Tag variant="filled" style={{ marginInlineEnd: 0 }}>
                {formatDuration(duration)}
              </Tag>
            )}
            {!write && <Pill tone="amber">{t("studio.header.readOnly")}</Pill>}
            {livePaused && (
              <Tooltip title={t("common.liveOffline")}>
                <Pill tone="amber" icon={<DisconnectOutlined />} data-testid="live-paused" tabIndex={0}>
                  {t("studio.header.livePaused")}
                </Pill>
              </Tooltip>
            )}
          </Space>
        </div>
        {!phone && <Space wrap>{actions}</Space>}
      </div>
      {phone && (
        <nav className="studio-bottom-bar" aria-label={t("studio.header.actions")} data-testid="studio-bottom-actions">
          {actions}
        </nav>
      )}
      {write && <ProjectSettings project={project} open={settings} onClose={() => setSettings(false)} />}
    </header>
  );
}
