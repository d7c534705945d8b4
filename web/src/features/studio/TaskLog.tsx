/** What the project's work did, newest first: each step's state and progress, and for a
 * failure what went wrong in plain words (the server's message beside it), with Retry; running
 * steps can be cancelled. */
import { ExclamationCircleOutlined, StopOutlined, UnorderedListOutlined, RedoOutlined } from "@ant-design/icons";
import { App, Button, Card, Empty, Progress, Segmented, Skeleton, Space, Typography } from "antd";
import { useMemo, useState } from "react";
import { errorMessage } from "../../api/client";
import { CardTitle } from "../../components/CardTitle";
import { useI18n, useT } from "../../i18n";
import { useProjectTasks, useTaskAction } from "./api";
import { canCancel, canRetry, currentTaskIds } from "./editor/permissions";
import { isActive } from "./editor/status";
import { taskFallback } from "./editor/fallbacks";
import { explainFailure, filterTasks, newestFirst, rootFailure, shotNumber, type TaskFilter } from "./editor/tasks";
import type { Project, StudioKey, Task } from "./editor/types";
import { Pill, type Tone } from "./Pill";

const PAGE = 25;

const STATUS_TONE: Record<string, Tone> = {
  succeeded: "green",
  failed: "red",
  cancelled: "grey",
  running: "purple",
  queued: "blue",
  blocked: "grey",
};

const KINDS = new Set(["storyboard", "image", "voice", "motion", "music", "render"]);

function kindKey(kind: string): StudioKey {
  return KINDS.has(kind) ? (`studio.kind.${kind}` as StudioKey) : "studio.kind.other";
}

export function TaskLog({ project, poll }: { project: Project; poll: boolean }) {
  const t = useT();
  const { lang } = useI18n();
  const { message } = App.useApp();
  const tasks = useProjectTasks(project.id, poll);
  const act = useTaskAction(project.id);
  const [filter, setFilter] = useState<TaskFilter>("all");
  const [shown, setShown] = useState(PAGE);
  const [busy, setBusy] = useState<string | null>(null);
  const write = project.access === "write";
  const current = useMemo(() => currentTaskIds(project), [project]);
  const all = useMemo(() => newestFirst(tasks.data?.items ?? []), [tasks.data]);
  const byId = useMemo(() => new Map(all.map((x) => [x.id, x])), [all]);
  const problems = all.filter((x) => x.status === "failed" && current.has(x.id)).length;
  const list = filterTasks(all, filter);
  const when = new Intl.DateTimeFormat(lang === "zh" ? "zh-CN" : "en", { timeStyle: "medium" });

  const run = (task: Task, action: "retry" | "cancel") => {
    setBusy(task.id);
    act.mutate(
      { taskId: task.id, action },
      {
        onSuccess: () => void message.success(action === "retry" ? t("studio.log.retried") : t("studio.log.cancelled")),
        onError: (e) => void message.error(errorMessage(e)),
        onSettled: () => setBusy(null),
      },
    );
  };

  const label = (task: Task) => {
    const n = shotNumber(project.shots, task.shot_id);
    const kind = t(kindKey(task.kind));
    if (n !== null) return t("studio.log.forShot", { kind, n });
    if (task.shot_id) return t("studio.log.forRemovedShot", { kind });
    return kind;
  };

  return (
    <Card
      size="small"
      data-testid="task-log"
      title={<CardTitle icon={<UnorderedListOutlined />}>{t("studio.log.title")}</CardTitle>}
    >
      <Segmented<TaskFilter>
        size="small"
        value={filter}
        onChange={(v) => {
          setFilter(v);
          setShown(PAGE);
        }}
        options={[
          { value: "all", label: t("studio.log.all") },
          { value: "problems", label: problems ? t("studio.log.problemsN", { n: problems }) : t("studio.log.problems") },
          { value: "active", label: t("studio.log.active") },
        ]}
        aria-label={t("studio.log.filter")}
        style={{ marginBottom: 12 }}
      />
      {tasks.isLoading ? (
        <Skeleton active paragraph={{ rows: 4 }} title={false} />
      ) : tasks.error ? (
        <Typography.Text type="danger">{errorMessage(tasks.error)}</Typography.Text>
      ) : list.length === 0 ? (
        <Empty
          image={Empty.PRESENTED_IMAGE_SIMPLE}
          description={filter === "problems" ? t("studio.log.noProblems") : filter === "active" ? t("studio.log.noActive") : t("studio.log.empty")}
          style={{ margin: "8px 0" }}
        />
      ) : (
        <ol className="studio-log">
          {list.slice(0, shown).map((task) => {
            const explanation = explainFailure(task);
            const fallback = task.status === "succeeded" ? taskFallback(task) : null;
            const superseded = (task.status === "failed" || task.status === "cancelled") && !current.has(task.id);
            // A step that failed because an earlier one did: retrying that one brings both back.
            const root = explanation ? rootFailure(task, byId) : null;
            const retryTarget = root && canRetry(root, current, write) ? root : canRetry(task, current, write) ? task : null;
            return (
              <li key={task.id} data-testid="task-log-item" data-task-id={task.id} data-status={task.status} data-kind={task.kind}>
                <div className="studio-log-head">
                  <Typography.Text strong>{label(task)}</Typography.Text>
                  <Pill tone={STATUS_TONE[task.status] ?? "grey"}>{t(`studio.status.${task.status}`)}</Pill>
                  {task.attempts > 1 && (
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {t("studio.log.attempts", { n: task.attempts, max: task.max_attempts })}
                    </Typography.Text>
                  )}
                  <Typography.Text type="secondary" style={{ fontSize: 12, marginInlineStart: "auto" }}>
                    {when.format(new Date(task.timings.updated_at ?? task.timings.created_at))}
                  </Typography.Text>
                </div>
                {task.status === "running" && (
                  <Progress percent={Math.round(task.progress)} size="small" aria-label={t("studio.log.progressOf", { what: label(task) })} />
                )}
                {task.message && isActive(task.status) && (
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {task.message}
                  </Typography.Text>
                )}
                {fallback && (
                  <div className="studio-log-fallback" data-testid="task-fallback">
                    <Typography.Text type="warning" style={{ fontSize: 12 }}>
                      <ExclamationCircleOutlined aria-hidden /> {t("studio.log.fellBack", { to: fallback.to || t("studio.fallback.another"), from: fallback.from.join(", ") })}
                    </Typography.Text>
                    {fallback.reason && (
                      <Typography.Paragraph
                        type="secondary"
                        style={{ fontSize: 12, margin: 0 }}
                        ellipsis={{ rows: 2, expandable: "collapsible", symbol: (open: boolean) => (open ? t("studio.log.less") : t("studio.log.details")) }}
                      >
                        {t("studio.fallback.reason", { reason: fallback.reason })}
                      </Typography.Paragraph>
                    )}
                  </div>
                )}
                {explanation && (
                  <div className={superseded ? "studio-log-failure studio-log-old" : "studio-log-failure"} data-testid="task-failure">
                    <Typography.Text type={superseded ? "secondary" : "danger"}>
                      <ExclamationCircleOutlined aria-hidden /> {t(explanation.key)}
                    </Typography.Text>
                    {root && (
                      <Typography.Text style={{ fontSize: 12, display: "block" }}>
                        {t("studio.log.startedAt", { what: label(root) })}
                      </Typography.Text>
                    )}
                    {task.error?.message && (
                      <Typography.Paragraph
                        type="secondary"
                        style={{ fontSize: 12, margin: 0 }}
                        data-testid="task-error-message"
                        ellipsis={{ rows: 3, expandable: "collapsible", symbol: (open: boolean) => (open ? t("studio.log.less") : t("studio.log.details")) }}
                      >
                        {t("studio.log.serverSaid", { message: task.error.message })}
                      </Typography.Paragraph>
                    )}
                    {superseded && (
                      <Typography.Text type="secondary" style={{ fontSize: 12, display: "block" }}>
                        {t("studio.log.superseded")}
                      </Typography.Text>
                    )}
                  </div>
                )}
                {(retryTarget || canCancel(task, write)) && (
                  <Space size={6} wrap style={{ marginTop: 4 }}>
                    {retryTarget && (
                      <Button
                        size="small"
                        icon={<RedoOutlined />}
                        loading={busy === retryTarget.id}
                        onClick={() => run(retryTarget, "retry")}
                        data-testid="task-retry"
                        aria-label={t("studio.log.retryLabel", { what: label(retryTarget) })}
                      >
                        {retryTarget === task ? t("common.retry") : t("studio.log.retryRoot", { what: label(retryTarget) })}
                      </Button>
                    )}
                    {canCancel(task, write) && (
                      <Button
                        size="small"
                        icon={<StopOutlined />}
                        loading={busy === task.id}
                        onClick={() => run(task, "cancel")}
                        data-testid="task-cancel"
                        aria-label={t("studio.log.cancelLabel", { what: label(task) })}
                      >
                        {t("common.cancel")}
                      </Button>
                    )}
                  </Space>
                )}
              </li>
            );
          })}
        </ol>
      )}
      {list.length > shown && (
        <Button type="link" onClick={() => setShown((n) => n + PAGE)} style={{ paddingInline: 0 }}>
          {t("studio.log.more", { n: list.length - shown })}
        </Button>
      )}
      {tasks.data && tasks.data.total > tasks.data.items.length && (
        <Typography.Paragraph type="secondary" style={{ fontSize: 12, margin: "8px 0 0" }}>
          {t("studio.log.truncated", { n: tasks.data.items.length, total: tasks.data.total })}
        </Typography.Paragraph>
      )}
    </Card>
  );
}
