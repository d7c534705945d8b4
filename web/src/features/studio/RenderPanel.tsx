/** The video: render a preview or the final cut (a refusal, e.g. a budget's 402, is shown with the
 * server's message), follow the work stage by stage, see what fell back to a stand-in provider
 * and why, see what it costs, watch it while it renders (LivePlayer) and then the latest render
 * (or an earlier one) with its quality check (QcBadge), download its files, and browse the
 * render history. */
import {
  CheckCircleFilled,
  CloseCircleFilled,
  DownloadOutlined,
  FileImageOutlined,
  FileTextOutlined,
  HistoryOutlined,
  LoadingOutlined,
  PlayCircleOutlined,
  ThunderboltOutlined,
  VideoCameraOutlined,
  ClockCircleOutlined,
  MinusCircleOutlined,
} from "@ant-design/icons";
import { useQuery } from "@tanstack/react-query";
import { App, Button, Card, Empty, Progress, Skeleton, Space, Tooltip, Typography } from "antd";
import { useEffect, useRef, useState, type ReactNode } from "react";
import { errorMessage } from "../../api/client";
import { queryKeys } from "../../api/queries";
import type { Quality } from "../../api/schema-constants.gen";
import { CardTitle } from "../../components/CardTitle";
import { useI18n, useT } from "../../i18n";
import { absoluteTime, formatDuration } from "../../lib/format";
import { useLive, useProjectTasks, useRender, useRenders } from "./api";
import { CostBlock } from "./CostBlock";
import { ExportMenu } from "./ExportMenu";
import { fileSize, srtToVtt } from "./editor/files";
import type { Permissions } from "./editor/permissions";
import { computeProgress, type StageProgress } from "./editor/progress";
import type { Project, Render } from "./editor/types";
import { FallbackNotice } from "./FallbackNotice";
import { LivePlayer, PlayerFrame, type LivePosition } from "./LivePlayer";
import { assetUrl, forgetAsset } from "./media";
import { Pill } from "./Pill";
import { QcBadge } from "./QcBadge";

function StageIcon({ stage }: { stage: StageProgress }) {
  switch (stage.status) {
    case "done":
      return <CheckCircleFilled aria-hidden style={{ color: "#52c41a" }} />;
    case "failed":
      return <CloseCircleFilled aria-hidden style={{ color: "#ff4d4f" }} />;
    case "running":
      return <LoadingOutlined aria-hidden style={{ color: "#5b3df5" }} />;
    case "waiting":
      return <ClockCircleOutlined aria-hidden style={{ color: "#8c8c8c" }} />;
    default:
      return <MinusCircleOutlined aria-hidden style={{ color: "#bfbfbf" }} />;
  }
}

export function ProgressBlock({ project }: { project: Project }) {
  const t = useT();
  const progress = computeProgress(project);
  const state = progress.active ? "running" : progress.failed ? "failed" : project.latest_render ? "done" : "idle";
  const shown = progress.stages.filter((s) => s.status !== "idle" || s.perShot || s.key === "render");
  const headline =
    state === "running"
      ? t("studio.progress.working", { p: progress.overall })
      : state === "failed"
        ? t("studio.progress.failed")
        : state === "done"
          ? t("studio.progress.done")
          : t("studio.progress.idle");
  return (
    <div data-testid="render-progress" data-state={state} data-percent={state === "done" ? 100 : progress.overall} className="studio-progress">
      <div style={{ display: "flex", justifyContent: "space-between", gap: 8, flexWrap: "wrap" }}>
        <Typography.Text strong>{headline}</Typography.Text>
      </div>
      {(state === "running" || state === "failed") && (
        <Progress
          percent={progress.overall}
          status={state === "failed" ? "exception" : "active"}
          strokeColor={state === "failed" ? undefined : "#5b3df5"}
          aria-label={t("studio.progress.overall")}
          data-testid="render-progress-overall"
        />
      )}
      <ul className="studio-stages" aria-label={t("studio.progress.stages")}>
        {shown.map((s) => (
          <li key={s.key} data-testid={`stage-${s.key}`} data-status={s.status}>
            <StageIcon stage={s} />
            <span>{t(`studio.stage.${s.key}`)}</span>
            <span className="studio-stage-value">
              {s.perShot
                ? t("studio.progress.count", { done: s.done, total: s.total })
                : s.status === "done"
                  ? t("studio.progress.stageDone")
                  : s.status === "failed"
                    ? t("studio.progress.stageFailed")
                    : s.status === "waiting"
                      ? t("studio.progress.stageWaiting")
                      : `${s.percent}%`}
              {s.perShot && s.failed > 0 && (
                <Typography.Text type="danger" style={{ marginInlineStart: 6 }}>
                  {t("studio.progress.failedCount", { n: s.failed })}
                </Typography.Text>
              )}
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The render's subtitles, as a WebVTT track the player can show. */
function useCaptions(render: Render | null): string | null {
  const srt = render?.srt ?? null;
  const query = useQuery({
    queryKey: queryKeys.captions(srt?.id ?? ""),
    queryFn: async () => {
      const response = await fetch(assetUrl(srt!));
      if (!response.ok) throw new Error(response.statusText);
      return srtToVtt(await response.text());
    },
    enabled: !!srt,
    staleTime: Infinity,
    retry: false,
  });
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    if (!query.data) return;
    const next = URL.createObjectURL(new Blob([query.data], { type: "text/vtt" }));
    setUrl(next);
    return () => {
      URL.revokeObjectURL(next);
      setUrl(null);
    };
  }, [query.data]);
  return srt ? url : null;
}

interface PlayerProps {
  render: Render;
  aspect: string;
  onStale: () => void;
  /** Where the viewer left this render's live picture: the video starts there (and plays on
   * if it was playing), once; then `onResumed`. */
  resumeAt?: LivePosition | null;
  onResumed?: () => void;
}

function Player({ render, aspect, onStale, resumeAt, onResumed }: PlayerProps) {
  const t = useT();
  const captions = useCaptions(render);
  if (!render.video) return null;
  return (
    <PlayerFrame aspect={aspect}>
      <video
        key={render.id}
        data-testid="video-player"
        controls
        preload="metadata"
        playsInline
        poster={render.poster ? assetUrl(render.poster) : undefined}
        src={assetUrl(render.video)}
        aria-label={t("studio.render.playerLabel")}
        onLoadedMetadata={(e) => {
          const video = e.currentTarget;
          if (!resumeAt) return;
          onResumed?.();
          // Watched to the end already: the final video waits at its start.
          if (resumeAt.ended || resumeAt.time >= video.duration - 0.5) return;
          video.currentTime = resumeAt.time;
          if (!resumeAt.paused) void video.play().catch(() => undefined);
        }}
        onError={() => {
          if (render.video) forgetAsset(render.video.id);
          onStale();
        }}
      >
        {captions && <track kind="captions" src={captions} srcLang="und" label={t("studio.render.captions")} />}
      </video>
    </PlayerFrame>
  );
}

/** Bring shot `n` (1-based, as the render numbers them) of the storyboard into view. */
function showShot(project: Project, n: number): void {
  const id = project.shots[n - 1]?.id;
  if (!id) return;
  const card = document.querySelector<HTMLElement>(`[data-testid="shot-card"][data-shot-id="${CSS.escape(id)}"]`);
  if (!card) return;
  card.scrollIntoView({ behavior: "smooth", block: "center" });
  if (!card.hasAttribute("tabindex")) card.setAttribute("tabindex", "-1");
  card.focus({ preventScroll: true });
}

function Downloads({ render, children }: { render: Render; children?: ReactNode }) {
  const t = useT();
  const files = [
    { asset: render.video, testId: "download-mp4", label: t("studio.render.mp4"), icon: <DownloadOutlined /> },
    { asset: render.srt, testId: "download-srt", label: t("studio.render.srt"), icon: <FileTextOutlined /> },
    { asset: render.poster, testId: "download-poster", label: t("studio.render.poster"), icon: <FileImageOutlined /> },
    { asset: render.contact_sheet, testId: "download-contact-sheet", label: t("studio.render.contactSheet"), icon: <FileImageOutlined /> },
  ];
  return (
    <nav aria-label={t("studio.render.downloads")}>
      <Space wrap size={8}>
        {files.map(({ asset, testId, label, icon }) =>
          asset ? (
            <a key={testId} href={asset.url} download data-testid={testId} className="studio-download" aria-label={t("studio.render.downloadLabel", { what: label, size: fileSize(asset.size) })}>
              {icon} {label}
            </a>
          ) : null,
        )}
        {children}
      </Space>
    </nav>
  );
}

export function RenderPanel({ project, perms, poll }: { project: Project; perms: Permissions; poll: boolean }) {
  const t = useT();
  const { lang } = useI18n();
  const { message } = App.useApp();
  const render = useRender(project.id);
  const renders = useRenders(project.id, poll);
  const tasks = useProjectTasks(project.id, poll);
  const [chosen, setChosen] = useState<string | null>(null);
  const [asked, setAsked] = useState<Quality | null>(null);
  const latest = project.latest_render;
  const history = renders.data?.items ?? [];
  const playing = (chosen && history.find((r) => r.id === chosen)) || latest;
  const renderTask = project.tasks.render;
  const rendering = renderTask && ["blocked", "queued", "running"].includes(renderTask.status);
  // Watch the render task while it runs, and on after it ends until its render is recorded
  // (the final video then takes over); a failed or cancelled one has nothing more to show.
  const watchedTask =
    renderTask && !["failed", "cancelled"].includes(renderTask.status) && latest?.task_id !== renderTask.id ? renderTask.id : null;
  const live = useLive(project.id, watchedTask, renderTask?.status === "running");
  const watching = chosen === null && watchedTask !== null && live.data?.task_id === watchedTask ? live.data : null;
  // Where the viewer left the live picture, for the final video to pick up from.
  const livePosition = useRef<{ taskId: string; position: LivePosition } | null>(null);
  // Exports are made from the project's current render (the server refuses them with 409
  // while there is none or while it is being rendered again).
  const exportMenu = (
    <ExportMenu
      projectId={project.id}
      disabledReason={!latest?.video ? t("studio.export.needsRender") : rendering ? t("studio.export.rendering") : null}
    />
  );

  const go = (quality: Quality) => {
    setAsked(quality);
    setChosen(null);
    render.mutate(quality, {
      onSuccess: () => void message.success(quality === "preview" ? t("studio.render.previewStarted") : t("studio.render.finalStarted")),
      onError: (e) => void message.error(errorMessage(e)),
      onSettled: () => setAsked(null),
    });
  };

  return (
    <Card
      title={<CardTitle icon={<VideoCameraOutlined />}>{t("studio.render.title")}</CardTitle>}
      data-testid="render-panel"
      size="small"
      styles={{ body: { display: "flex", flexDirection: "column", gap: 14 } }}
    >
      <div>
        <Space wrap>
          <Tooltip title={t("studio.render.previewHint")}>
            <Button
              icon={<ThunderboltOutlined />}
              onClick={() => go("preview")}
              disabled={!perms.canRender}
              loading={asked === "preview"}
              data-testid="render-preview"
            >
              {t("studio.render.preview")}
            </Button>
          </Tooltip>
          <Tooltip title={t("studio.render.finalHint")}>
            <Button
              type="primary"
              icon={<PlayCircleOutlined />}
              onClick={() => go("final")}
              disabled={!perms.canRender}
              loading={asked === "final"}
              data-testid="render-final"
            >
              {t("studio.render.final")}
            </Button>
          </Tooltip>
        </Space>
        {!perms.canRender && (
          <Typography.Paragraph type="secondary" style={{ fontSize: 12, margin: "6px 0 0" }}>
            {perms.reason === "readOnly"
              ? t("studio.perm.readOnly")
              : perms.reason === "writing"
                ? t("studio.perm.writing")
                : t("studio.render.needsShots")}
          </Typography.Paragraph>
        )}
        {rendering && renderTask && (
          <Typography.Paragraph type="secondary" style={{ fontSize: 12, margin: "6px 0 0" }}>
            {renderTask.status === "running" ? t("studio.render.running", { p: Math.round(renderTask.progress) }) : t("studio.render.queued")}
          </Typography.Paragraph>
        )}
      </div>

      <ProgressBlock project={project} />

      <FallbackNotice project={project} tasks={tasks.data?.items ?? []} />

      <CostBlock projectId={project.id} />

      {rendering && !watching && chosen === null && (
        <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="live-starting">
          {t("studio.live.starting")}
        </Typography.Text>
      )}

      {watching ? (
        <LivePlayer
          key={watching.task_id}
          live={watching}
          aspect={project.aspect}
          onRetry={() => void live.refetch()}
          onPosition={(position) => (livePosition.current = { taskId: watching.task_id, position })}
        />
      ) : playing && playing.video ? (
        <>
          <Player
            render={playing}
            aspect={project.aspect}
            onStale={() => void renders.refetch()}
            resumeAt={livePosition.current && livePosition.current.taskId === playing.task_id ? livePosition.current.position : null}
            onResumed={() => (livePosition.current = null)}
          />
          <div style={{ display: "flex", gap: 8, alignItems: "center", flexWrap: "wrap" }}>
            <Pill tone={playing.quality === "final" ? "purple" : "grey"}>{t(playing.quality === "final" ? "studio.render.qualityFinal" : "studio.render.qualityPreview")}</Pill>
            <Typography.Text type="secondary" style={{ fontSize: 13 }}>
              {formatDuration(playing.duration)} · {playing.width}×{playing.height} · {fileSize(playing.size_bytes)}
            </Typography.Text>
            <QcBadge qc={playing.qc} onShot={playing.id === latest?.id ? (n) => showShot(project, n) : undefined} />
            {latest && playing.id !== latest.id && (
              <Button size="small" type="link" onClick={() => setChosen(null)}>
                {t("studio.render.backToLatest")}
              </Button>
            )}
          </div>
          <Downloads render={playing}>{exportMenu}</Downloads>
        </>
      ) : (
        <>
          <Empty
            image={Empty.PRESENTED_IMAGE_SIMPLE}
            description={perms.reason === "readOnly" ? t("studio.render.emptyReadOnly") : t("studio.render.empty")}
            style={{ margin: "8px 0" }}
          />
          <div>{exportMenu}</div>
        </>
      )}

      <div>
        <Typography.Title level={3} style={{ fontSize: 14, margin: "4px 0 8px" }}>
          <HistoryOutlined aria-hidden /> {t("studio.render.history")}
        </Typography.Title>
        {renders.isLoading ? (
          <Skeleton active paragraph={{ rows: 2 }} title={false} />
        ) : renders.error ? (
          <Typography.Text type="danger">{errorMessage(renders.error)}</Typography.Text>
        ) : history.length === 0 ? (
          <Typography.Text type="secondary" style={{ fontSize: 13 }}>
            {t("studio.render.historyEmpty")}
          </Typography.Text>
        ) : (
          <ul className="studio-history" data-testid="render-history">
            {history.map((r) => {
              const current = playing?.id === r.id;
              const at = absoluteTime(r.created_at, lang);
              return (
                <li key={r.id} data-testid="render-history-item" data-render-id={r.id} aria-current={current ? "true" : undefined}>
                  <div style={{ minWidth: 0, flex: 1 }}>
                    <Space size={6} wrap>
                      <Pill tone={r.quality === "final" ? "purple" : "grey"}>
                        {t(r.quality === "final" ? "studio.render.qualityFinal" : "studio.render.qualityPreview")}
                      </Pill>
                      {latest?.id === r.id && <Pill tone="green">{t("studio.render.latest")}</Pill>}
                      <QcBadge qc={r.qc} onShot={latest?.id === r.id ? (n) => showShot(project, n) : undefined} />
                      {current && <Typography.Text style={{ fontSize: 12 }}>{t("studio.render.playing")}</Typography.Text>}
                    </Space>
                    <div className="studio-history-meta">
                      {at} · {formatDuration(r.duration)} · {r.width}×{r.height}
                    </div>
                  </div>
                  <Space size={4}>
                    <Button
                      size="small"
                      type={current ? "primary" : "default"}
                      ghost={current}
                      disabled={!r.video}
                      aria-pressed={current}
                      aria-label={t("studio.render.playThis", { when: at })}
                      title={t("studio.render.playThis", { when: at })}
                      icon={<PlayCircleOutlined />}
                      onClick={() => setChosen(r.id)}
                    />
                    {r.video && (
                      <a href={r.video.url} download className="studio-icon-link" aria-label={t("studio.render.downloadThis", { when: at })} title={t("studio.render.downloadThis", { when: at })}>
                        <DownloadOutlined />
                      </a>
                    )}
                  </Space>
                </li>
              );
            })}
          </ul>
        )}
      </div>
    </Card>
  );
}
