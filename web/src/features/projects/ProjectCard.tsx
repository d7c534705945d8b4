import {
  ClockCircleOutlined,
  CopyOutlined,
  DeleteOutlined,
  LoadingOutlined,
  PictureOutlined,
  TeamOutlined,
  UnorderedListOutlined,
} from "@ant-design/icons";
import { Button, Card, Flex, Tag, Typography } from "antd";
import { useState, type ReactNode } from "react";
import { Link } from "react-router-dom";
import { ConfirmDelete } from "../../components/ConfirmDelete";
import { useI18n } from "../../i18n";
import type { StyleOption } from "./api";
import { absoluteTime, formatDuration, relativeTime } from "../../lib/format";
import { StatusTag } from "./StatusTag";
import type { ProjectItem } from "./types";

const FALLBACK_PALETTE = ["#1d1b2f", "#3b2f8f", "#5b3df5", "#a99bf9", "#efeafe"];

/** A style's palette as a soft diagonal gradient: the cover before there is a poster. */
function paletteGradient(palette: string[] | undefined): string {
  const colours = palette && palette.length >= 2 ? palette : FALLBACK_PALETTE;
  return `linear-gradient(135deg, ${colours.join(", ")})`;
}

function Cover({ project, style }: { project: ProjectItem; style: StyleOption | undefined }) {
  const [broken, setBroken] = useState<string | null>(null);
  const poster = project.poster && project.poster.url !== broken ? project.poster : null;
  const duration = project.duration;
  return (
    <Link
      to={`/projects/${project.id}`}
      tabIndex={-1}
      aria-hidden="true"
      style={{
        display: "block",
        position: "relative",
        aspectRatio: "16 / 9",
        overflow: "hidden",
        borderRadius: "8px 8px 0 0",
        background: paletteGradient(style?.palette),
      }}
    >
      {poster ? (
        <img
          src={poster.url}
          alt=""
          loading="lazy"
          onError={() => setBroken(poster.url)}
          style={{
            position: "absolute",
            inset: 0,
            width: "100%",
            height: "100%",
            objectFit: project.aspect === "16:9" ? "cover" : "contain",
            background: "rgba(0, 0, 0, 0.35)",
          }}
        />
      ) : (
        <Flex align="center" justify="center" style={{ position: "absolute", inset: 0, fontSize: 34, color: "rgba(255,255,255,0.85)" }}>
          {project.status === "running" ? <LoadingOutlined /> : <PictureOutlined />}
        </Flex>
      )}
      <span
        style={{
          position: "absolute",
          top: 8,
          left: 8,
          padding: "1px 8px",
          borderRadius: 10,
          fontSize: 12,
          color: "#fff",
          background: "rgba(20, 18, 40, 0.62)",
        }}
      >
        {project.aspect}
      </span>
      {typeof duration === "number" && (
        <span
          style={{
            position: "absolute",
            right: 8,
            bottom: 8,
            padding: "1px 8px",
            borderRadius: 10,
            fontSize: 12,
            fontVariantNumeric: "tabular-nums",
            color: "#fff",
            background: "rgba(20, 18, 40, 0.72)",
          }}
        >
          {formatDuration(duration)}
        </span>
      )}
    </Link>
  );
}

interface Props {
  project: ProjectItem;
  style: StyleOption | undefined;
  now: number;
  /** Viewer accounts cannot make copies. */
  canCreate: boolean;
  duplicating: boolean;
  onDuplicate: (project: ProjectItem) => void;
  onDelete: (project: ProjectItem) => Promise<unknown>;
}

/** One project in the grid: poster, title, status, length, last change, and its actions. */
export function ProjectCard({ project, style, now, canCreate, duplicating, onDuplicate, onDelete }: Props) {
  const { t, lang } = useI18n();
  const shots = project.shot_count;
  const styleName = style ? (lang === "zh" ? style.label_zh : style.label) : project.style;
  const actions: ReactNode[] = [];
  if (canCreate) {
    actions.push(
      <Button
        key="duplicate"
        type="text"
        size="small"
        icon={<CopyOutlined />}
        loading={duplicating}
        onClick={() => onDuplicate(project)}
        aria-label={t("projects.duplicateAria", { title: project.title })}
        data-testid="project-duplicate"
      >
        {t("projects.duplicate")}
      </Button>,
    );
  }
  if (project.access === "write") {
    actions.push(
      <ConfirmDelete
        key="delete"
        title={t("projects.deleteTitle", { title: project.title })}
        description={t("projects.deleteText")}
        okTestId="project-delete-confirm"
        onConfirm={() => onDelete(project)}
      >
        <Button
          type="text"
          size="small"
          danger
          icon={<DeleteOutlined />}
          aria-label={t("projects.deleteAria", { title: project.title })}
          data-testid="project-delete"
        >
          {t("projects.delete")}
        </Button>
      </ConfirmDelete>,
    );
  }
  return (
    <Card
      data-testid="project-card"
      data-project-id={project.id}
      data-status={project.status}
      cover={<Cover project={project} style={style} />}
      actions={actions.length ? actions : undefined}
      styles={{ body: { padding: 16 } }}
      style={{ height: "100%", display: "flex", flexDirection: "column" }}
    >
      <Flex vertical gap={8}>
        <Typography.Title level={2} style={{ fontSize: 16, margin: 0, lineHeight: 1.4 }} ellipsis={{ rows: 2, tooltip: project.title }}>
          <Link to={`/projects/${project.id}`} style={{ color: "inherit" }} data-testid="project-title">
            {project.title}
          </Link>
        </Typography.Title>
        <Flex wrap gap={6} align="center">
          <StatusTag status={project.status} />
          <Tag variant="filled" style={{ marginInlineEnd: 0 }}>
            {styleName}
          </Tag>
          {project.access === "read" && (
            <Tag color="purple" icon={<TeamOutlined />} data-testid="project-shared" style={{ marginInlineEnd: 0 }}>
              {t("projects.shared")}
            </Tag>
          )}
        </Flex>
        <Flex wrap gap={12} style={{ fontSize: 13 }}>
          {typeof project.duration === "number" ? (
            <Typography.Text type="secondary">
              <span aria-hidden="true">
                <ClockCircleOutlined /> {formatDuration(project.duration)}
              </span>
              <span className="sr-only">{t("projects.durationLabel", { d: formatDuration(project.duration) })}</span>
            </Typography.Text>
          ) : (
            <Typography.Text type="secondary">
              <ClockCircleOutlined aria-hidden="true" /> {t("projects.noVideo")}
            </Typography.Text>
          )}
          {typeof shots === "number" && (
            <Typography.Text type="secondary">
              <UnorderedListOutlined aria-hidden="true" />{" "}
              {shots === 0 ? t("projects.noShots") : shots === 1 ? t("projects.shotsOne") : t("projects.shots", { n: shots })}
            </Typography.Text>
          )}
        </Flex>
        <Typography.Text type="secondary" style={{ fontSize: 13 }}>
          <time dateTime={project.updated_at} title={absoluteTime(project.updated_at, lang)}>
            {t("projects.updated", { when: relativeTime(project.updated_at, now, lang, t("projects.justNow")) })}
          </time>
        </Typography.Text>
      </Flex>
    </Card>
  );
}
