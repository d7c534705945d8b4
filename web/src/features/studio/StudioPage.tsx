/** The studio (`/projects/:projectId`): a project's storyboard to edit, its video, its
 * characters and what its work is doing — live, or polled while the live socket is down. */
import { useQueryClient } from "@tanstack/react-query";
import { Alert, Button, Col, Grid, Result, Row, Skeleton } from "antd";
import { useEffect, useRef, useState } from "react";
import { useParams } from "react-router-dom";
import { ApiError, errorMessage } from "../../api/client";
import { queryKeys } from "../../api/queries";
import { LinkButton } from "../../components/LinkButton";
import { useT } from "../../i18n";
import { useLiveConnected, useProjectEvents } from "../../live/hooks";
import { useProject } from "./api";
import { CharactersPanel } from "./CharactersPanel";
import { permissions } from "./editor/permissions";
import type { Project } from "./editor/types";
import { ProjectHeader } from "./ProjectHeader";
import { RenderPanel } from "./RenderPanel";
import { Storyboard } from "./Storyboard";
import { TaskLog } from "./TaskLog";
import "./studio.css";

/** True once `value` has held for `ms` (a live socket still connecting is not "paused"). */
function useSettled(value: boolean, ms: number): boolean {
  const [settled, setSettled] = useState(false);
  useEffect(() => {
    if (!value) {
      setSettled(false);
      return;
    }
    const timer = setTimeout(() => setSettled(true), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return value && settled;
}

/** When polling, the task log, render list and cost follow the project: a new render or status
 * reads them again. */
function useFollow(project: Project | undefined): void {
  const client = useQueryClient();
  const seen = useRef<string | null>(null);
  const id = project?.id;
  const signature = project ? `${project.status}|${project.latest_render?.id ?? ""}|${project.task_counts.failed ?? 0}` : null;
  useEffect(() => {
    if (!id || signature === null) return;
    if (seen.current !== null && seen.current !== signature) {
      void client.invalidateQueries({ queryKey: queryKeys.projectTasks(id) });
      void client.invalidateQueries({ queryKey: queryKeys.renders(id) });
      void client.invalidateQueries({ queryKey: queryKeys.projectCost(id) });
    }
    seen.current = signature;
  }, [client, id, signature]);
}

function StudioSkeleton() {
  return (
    <div aria-busy="true" data-testid="studio-loading">
      <Skeleton active title={{ width: "40%" }} paragraph={{ rows: 1, width: "60%" }} />
      <Row gutter={[24, 24]} style={{ marginTop: 24 }}>
        <Col xs={24} lg={15}>
          {[0, 1, 2].map((i) => (
            <div key={i} className="studio-shot-skeleton">
              <Skeleton.Image active style={{ width: 240, height: 135 }} />
              <Skeleton active paragraph={{ rows: 3 }} title={false} style={{ flex: 1 }} />
            </div>
          ))}
        </Col>
        <Col xs={24} lg={9}>
          <Skeleton.Node active style={{ width: "100%", height: 260 }} />
        </Col>
      </Row>
    </div>
  );
}

export default function StudioPage() {
  const t = useT();
  const { projectId = "" } = useParams();
  const connected = useLiveConnected();
  useProjectEvents(projectId);
  const project = useProject(projectId, connected);
  const screens = Grid.useBreakpoint();
  const data = project.data;
  const refreshError = project.isRefetchError ? project.error : null;
  useFollow(data);
  const running = data?.status === "running";
  const poll = !connected && running;
  const livePaused = useSettled(!connected, 3_000);

  // The tab shows the project's title while it is open (and the app's again after).
  useEffect(() => {
    if (!data?.title) return;
    const before = document.title;
    document.title = `${data.title} · storyreel`;
    return () => {
      document.title = before;
    };
  }, [data?.title]);

  if (project.isLoading) return <StudioSkeleton />;
  if (project.error || !data) {
    const missing = project.error instanceof ApiError && (project.error.status === 404 || project.error.status === 403);
    return (
      <Result
        status={missing ? "404" : "error"}
        title={<h1 style={{ fontSize: 22, margin: 0 }}>{missing ? t("studio.notFound") : t("studio.loadFailed")}</h1>}
        subTitle={errorMessage(project.error)}
        extra={
          <>
            {!missing && (
              <Button type="primary" onClick={() => void project.refetch()}>
                {t("common.retry")}
              </Button>
            )}
            <LinkButton to="/projects">{t("studio.header.back")}</LinkButton>
          </>
        }
      />
    );
  }

  const perms = permissions(data);
  const desktop = !!screens.lg;

  return (
    <div className="studio" data-testid="studio">
      <ProjectHeader project={data} perms={perms} livePaused={livePaused} />
      {refreshError && (
        <Alert type="warning" showIcon title={t("studio.refreshFailed", { message: errorMessage(refreshError) })} style={{ marginBottom: 16 }} />
      )}
      {perms.reason === "writing" && data.shots.length > 0 && (
        <Alert type="info" showIcon title={t("studio.perm.writingBanner")} style={{ marginBottom: 16 }} />
      )}
      {desktop ? (
        <Row gutter={24} wrap={false}>
          <Col flex="1 1 0" style={{ minWidth: 0 }}>
            <Storyboard project={data} perms={perms} />
          </Col>
          <Col flex="0 0 400px" style={{ minWidth: 0 }}>
            <aside className="studio-side" aria-label={t("studio.side")}>
              <RenderPanel project={data} perms={perms} poll={poll} />
              <CharactersPanel project={data} perms={perms} />
              <TaskLog project={data} poll={poll} />
            </aside>
          </Col>
        </Row>
      ) : (
        <div className="studio-stack">
          <RenderPanel project={data} perms={perms} poll={poll} />
          <Storyboard project={data} perms={perms} />
          <CharactersPanel project={data} perms={perms} />
          <TaskLog project={data} poll={poll} />
        </div>
      )}
    </div>
  );
}
