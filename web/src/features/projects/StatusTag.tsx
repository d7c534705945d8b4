import { CheckCircleOutlined, CloseCircleOutlined, EditOutlined, SyncOutlined } from "@ant-design/icons";
import { Tag } from "antd";
import type { CSSProperties, ReactNode } from "react";
import { useT } from "../../i18n";
import type { ProjectStatus } from "./types";

// antd's preset status colours are too light as text (2–3:1); these keep 4.5:1 or better.
const LOOK: Record<ProjectStatus, { style: CSSProperties; icon: ReactNode }> = {
  draft: { style: { color: "#434656", background: "#f3f4f7", borderColor: "#dcdfe6" }, icon: <EditOutlined /> },
  running: { style: { color: "#0950c3", background: "#e6f4ff", borderColor: "#91caff" }, icon: <SyncOutlined spin /> },
  failed: { style: { color: "#a8071a", background: "#fff1f0", borderColor: "#ffa39e" }, icon: <CloseCircleOutlined /> },
  done: { style: { color: "#1f6b04", background: "#f6ffed", borderColor: "#b7eb8f" }, icon: <CheckCircleOutlined /> },
};

/** A project's status as a coloured badge; running spins. */
export function StatusTag({ status }: { status: ProjectStatus }) {
  const t = useT();
  const look = LOOK[status] ?? LOOK.draft;
  return (
    <Tag icon={look.icon} data-testid="project-status" data-status={status} style={{ marginInlineEnd: 0, ...look.style }}>
      {t(`projects.status.${status}`)}
    </Tag>
  );
}
