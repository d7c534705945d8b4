/** The worker registry (GET /admin/workers): every process that runs tasks, its state as a tag
 * (running, idle, lost when silent past the task lease, stopped), last heartbeat, what it runs
 * now, its queues, version and GPU. */
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Empty, Flex, Skeleton, Table, Tag, Typography } from "antd";
import { api, unwrap, type Schemas } from "../../api/client";
import { queryKeys } from "../../api/queries";
import { QueryError } from "../../components/QueryError";
import { RelativeTime } from "../../components/RelativeTime";
import { ScrollRegion } from "../../components/ScrollRegion";
import { useT, type TFunction } from "../../i18n";

export type RegisteredWorker = Schemas["RegisteredWorkerOut"];
type WorkerState = RegisteredWorker["state"];

/** The most workers one page shows; a cluster with more pages through the API. */
const PAGE_SIZE = 100;

// The theme's status colours (they pass WCAG AA on their tints).
const STATE_COLOURS: Record<WorkerState, string> = {
  running: "processing",
  idle: "success",
  lost: "error",
  stopped: "default",
};

export function stateLabel(t: TFunction, state: WorkerState): string {
  switch (state) {
    case "running":
      return t("admin.workerStateRunning");
    case "idle":
      return t("admin.workerStateIdle");
    case "lost":
      return t("admin.workerStateLost");
    case "stopped":
      return t("admin.workerStateStopped");
  }
}

function gpuLabel(w: RegisteredWorker): string {
  if (!w.gpu_name) return "—";
  return w.gpu_memory_mb ? `${w.gpu_name} · ${Math.round(w.gpu_memory_mb / 1024)} GiB` : w.gpu_name;
}

export function WorkersRegistryTable({ workers }: { workers: RegisteredWorker[] }) {
  const t = useT();
  if (workers.length === 0) return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t("admin.noRegisteredWorkers")} />;
  return (
    <ScrollRegion label={t("admin.workers")}>
      <Table<RegisteredWorker>
        size="small"
        rowKey="id"
        dataSource={workers}
        pagination={false}
        scroll={{ x: "max-content" }}
        data-testid="admin-workers"
        columns={[
          {
            title: t("admin.worker"),
            dataIndex: "id",
            key: "id",
            render: (v: string, w) => (
              <Flex vertical>
                <Typography.Text code>{v}</Typography.Text>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {t("admin.workerHost", { host: w.host, pid: w.pid })}
                </Typography.Text>
              </Flex>
            ),
          },
          {
            title: t("admin.workerState"),
            dataIndex: "state",
            key: "state",
            render: (v: WorkerState) => (
              <Tag color={STATE_COLOURS[v]} data-testid="admin-worker-state">
                {stateLabel(t, v)}
              </Tag>
            ),
          },
          {
            title: t("admin.heartbeat"),
            dataIndex: "last_heartbeat_at",
            key: "hb",
            render: (v: string) => <RelativeTime iso={v} />,
          },
          {
            title: t("admin.workerTask"),
            key: "task",
            render: (_: unknown, w) =>
              w.task_id ? (
                <Flex vertical>
                  <Typography.Text code>{w.task_kind}</Typography.Text>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {w.tasks_running > 1 ? t("admin.workerMoreTasks", { id: w.task_id.slice(0, 8), n: w.tasks_running - 1 }) : w.task_id.slice(0, 8)}
                  </Typography.Text>
                </Flex>
              ) : (
                "—"
              ),
          },
          {
            title: t("admin.workerQueues"),
            dataIndex: "queues",
            key: "queues",
            render: (v: string[]) => (
              <Flex gap={4} wrap="wrap">
                {v.map((q) => (
                  <Tag key={q}>{q}</Tag>
                ))}
              </Flex>
            ),
          },
          { title: t("admin.workerGpu"), key: "gpu", render: (_: unknown, w) => gpuLabel(w) },
          { title: t("admin.workerVersion"), dataIndex: "version", key: "version" },
          {
            title: t("admin.workerStarted"),
            dataIndex: "started_at",
            key: "started",
            render: (v: string) => <RelativeTime iso={v} />,
          },
        ]}
      />
    </ScrollRegion>
  );
}

export function useWorkers(refreshMs: number | false) {
  return useQuery({
    queryKey: queryKeys.admin("workers"),
    queryFn: () => unwrap(api.GET("/api/v1/admin/workers", { params: { query: { page_size: PAGE_SIZE } } })),
    refetchInterval: refreshMs,
    refetchIntervalInBackground: false,
    placeholderData: keepPreviousData,
  });
}

export function WorkersRegistry({ refreshMs }: { refreshMs: number | false }) {
  const t = useT();
  const workers = useWorkers(refreshMs);
  if (workers.isPending) return <Skeleton active paragraph={{ rows: 3 }} />;
  if (workers.isError && !workers.data) return <QueryError error={workers.error} onRetry={() => void workers.refetch()} />;
  const page = workers.data;
  return (
    <Flex vertical gap={8}>
      <WorkersRegistryTable workers={page.items} />
      {page.total > page.items.length && (
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t("admin.workersShown", { n: page.items.length, total: page.total })}
        </Typography.Text>
      )}
    </Flex>
  );
}
