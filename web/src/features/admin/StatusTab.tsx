import { ReloadOutlined } from "@ant-design/icons";
import { useQuery } from "@tanstack/react-query";
import { Badge, Button, Card, Col, Empty, Flex, Progress, Row, Skeleton, Statistic, Switch, Table, Tag, Typography } from "antd";
import { useState, type ReactNode } from "react";
import { Link } from "react-router-dom";
import { api, unwrap, type Schemas } from "../../api/client";
import { queryKeys } from "../../api/queries";
import { useT, type TFunction } from "../../i18n";
import { useFormat } from "../../lib/format";
import { QueryError } from "../../components/QueryError";
import { RelativeTime } from "../../components/RelativeTime";
import { ScrollRegion } from "../../components/ScrollRegion";
import { ProvidersStatus } from "./ProvidersStatus";
import { WorkersRegistry } from "./WorkersRegistry";

type Status = Schemas["SystemStatus"];
type Running = Schemas["RunningTaskOut"];

const STATUS_REFRESH_MS = 5_000;
/** The providers' figures change slowly; a probe is only ever asked for by hand. */
const PROVIDERS_REFRESH_MS = 15_000;
const WINDOWS = ["1m", "5m", "15m"] as const;
const QUEUE_STATES = ["queued", "blocked", "running"] as const;

function outcomeLabel(t: TFunction, status: string): string {
  switch (status) {
    case "succeeded":
      return t("admin.outcomeSucceeded");
    case "failed":
      return t("admin.outcomeFailed");
    case "cancelled":
      return t("admin.outcomeCancelled");
    default:
      return status;
  }
}

function windowLabel(t: TFunction, w: (typeof WINDOWS)[number]): string {
  return t(w === "1m" ? "admin.window1" : w === "5m" ? "admin.window5" : "admin.window15");
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function Section({ title, children, extra }: { title: string; children: ReactNode; extra?: ReactNode }) {
  return (
    <Card
      size="small"
      title={
        <Typography.Title level={2} style={{ fontSize: 15, margin: 0 }}>
          {title}
        </Typography.Title>
      }
      extra={extra}
    >
      {children}
    </Card>
  );
}

function Stat({ title, value, testId, danger }: { title: string; value: number; testId: string; danger?: boolean }) {
  return (
    <Card size="small" data-testid={testId} style={{ height: "100%" }}>
      <Statistic title={title} value={value} styles={{ content: danger && value > 0 ? { color: "#cf1322" } : undefined }} />
    </Card>
  );
}

function ThroughputTable({ status }: { status: Status }) {
  const t = useT();
  const rows = new Map<string, { key: string; kind: string; status: string } & Record<string, number | string>>();
  for (const w of WINDOWS) {
    for (const [kind, byStatus] of Object.entries(status.finished[w] ?? {})) {
      for (const [st, n] of Object.entries(byStatus)) {
        const key = `${kind}/${st}`;
        const row = rows.get(key) ?? { key, kind, status: st };
        row[w] = n;
        rows.set(key, row);
      }
    }
  }
  const data = [...rows.values()].sort((a, b) => a.kind.localeCompare(b.kind) || a.status.localeCompare(b.status));
  if (data.length === 0) return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t("admin.noThroughput")} />;
  return (
    <ScrollRegion label={t("admin.throughput")}>
      <Table
        size="small"
        rowKey="key"
        dataSource={data}
        pagination={false}
        scroll={{ x: "max-content" }}
        columns={[
          { title: t("admin.taskKind"), dataIndex: "kind", key: "kind", render: (v: string) => <Typography.Text code>{v}</Typography.Text> },
          {
            title: t("admin.taskStatus"),
            dataIndex: "status",
            key: "status",
            render: (v: string) => <Badge status={v === "succeeded" ? "success" : v === "failed" ? "error" : "default"} text={outcomeLabel(t, v)} />,
          },
          ...WINDOWS.map((w) => ({
            title: t("admin.lastWindow", { w: windowLabel(t, w) }),
            dataIndex: w,
            key: w,
            align: "right" as const,
            render: (v: number | undefined) => v ?? 0,
          })),
        ]}
      />
    </ScrollRegion>
  );
}

function RunningTable({ tasks }: { tasks: Running[] }) {
  const t = useT();
  if (tasks.length === 0) return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t("admin.noRunning")} />;
  return (
    <ScrollRegion label={t("admin.runningTasks", { n: tasks.length })}>
      <Table<Running>
        size="small"
        rowKey="id"
        dataSource={tasks}
        pagination={false}
        scroll={{ x: "max-content" }}
        columns={[
          { title: t("admin.taskKind"), dataIndex: "kind", key: "kind", render: (v: string) => <Typography.Text code>{v}</Typography.Text> },
          { title: t("admin.resource"), dataIndex: "resource", key: "resource", render: (v: string) => <Tag>{v}</Tag> },
          {
            title: t("admin.progress"),
            dataIndex: "progress",
            key: "progress",
            render: (v: number, task) => (
              <div style={{ minWidth: 140 }}>
                <Progress percent={Math.round(Math.min(100, Math.max(0, v)))} size="small" aria-label={t("admin.progressLabel", { kind: task.kind })} />
                {task.message && (
                  <Typography.Text type="secondary" style={{ fontSize: 12 }} ellipsis={{ tooltip: task.message }}>
                    {task.message}
                  </Typography.Text>
                )}
              </div>
            ),
          },
          { title: t("admin.attempts"), dataIndex: "attempts", key: "attempts", align: "right" },
          {
            title: t("admin.started"),
            dataIndex: "started_at",
            key: "started",
            render: (v: string | null) => <RelativeTime iso={v} />,
          },
          {
            title: t("admin.worker"),
            dataIndex: "lease_owner",
            key: "worker",
            render: (v: string | null) => (v ? <Typography.Text code>{v}</Typography.Text> : "—"),
          },
          {
            title: t("admin.project"),
            dataIndex: "project_id",
            key: "project",
            render: (v: string | null) => (v ? <Link to={`/projects/${v}`}>{v.slice(0, 8)}</Link> : "—"),
          },
        ]}
      />
    </ScrollRegion>
  );
}

/** Queues, workers, throughput, the webhook backlog (refreshed every 5 s) and the providers. */
export function StatusTab() {
  const t = useT();
  const f = useFormat();
  const [auto, setAuto] = useState(true);
  const status = useQuery({
    queryKey: queryKeys.admin("status"),
    queryFn: () => unwrap(api.GET("/api/v1/admin/status")),
    refetchInterval: auto ? STATUS_REFRESH_MS : false,
    refetchIntervalInBackground: false,
  });

  if (status.isPending) return <Skeleton active paragraph={{ rows: 10 }} />;
  if (status.isError && !status.data) return <QueryError error={status.error} onRetry={() => void status.refetch()} />;
  const s = status.data;
  const queues = Object.entries(s.queues).map(([resource, counts]) => ({
    resource,
    queued: counts.queued ?? 0,
    blocked: counts.blocked ?? 0,
    running: counts.running ?? 0,
  }));
  const queued = sum(queues.map((q) => q.queued));
  const blocked = sum(queues.map((q) => q.blocked));
  const finished5 = sum(Object.values(s.finished["5m"] ?? {}).flatMap((byStatus) => Object.values(byStatus)));
  const wh = s.webhooks;

  return (
    <Flex vertical gap={16} data-testid="admin-status">
      <Flex justify="space-between" align="center" wrap="wrap" gap={8}>
        <Flex align="center" gap={8}>
          <Badge status={status.isError ? "error" : auto ? "processing" : "default"} />
          <Typography.Text type="secondary" data-testid="admin-status-updated">
            {status.isError
              ? t("admin.statusStale", { when: f.relative(s.generated_at) })
              : t("admin.statusUpdated", { when: f.dateTime(s.generated_at) })}
          </Typography.Text>
        </Flex>
        <Flex align="center" gap={12}>
          <Flex align="center" gap={6}>
            <Switch id="admin-status-auto" size="small" checked={auto} onChange={setAuto} />
            <label htmlFor="admin-status-auto">{t("admin.autoRefresh")}</label>
          </Flex>
          <Button size="small" icon={<ReloadOutlined />} loading={status.isFetching} onClick={() => void status.refetch()}>
            {t("admin.refresh")}
          </Button>
        </Flex>
      </Flex>
      {status.isError && <QueryError error={status.error} onRetry={() => void status.refetch()} />}
      <Row gutter={[12, 12]}>
        <Col xs={12} md={8} xl={4}>
          <Stat title={t("admin.statRunning")} value={s.running} testId="admin-stat-running" />
        </Col>
        <Col xs={12} md={8} xl={4}>
          <Stat title={t("admin.statQueued")} value={queued} testId="admin-stat-queued" />
        </Col>
        <Col xs={12} md={8} xl={4}>
          <Stat title={t("admin.statBlocked")} value={blocked} testId="admin-stat-blocked" />
        </Col>
        <Col xs={12} md={8} xl={4}>
          <Stat title={t("admin.statWorkers")} value={s.workers.length} testId="admin-stat-workers" />
        </Col>
        <Col xs={12} md={8} xl={4}>
          <Stat title={t("admin.statFinished5")} value={finished5} testId="admin-stat-finished" />
        </Col>
        <Col xs={12} md={8} xl={4}>
          <Stat title={t("admin.statFailed15")} value={s.failed["15m"] ?? 0} testId="admin-stat-failed" danger />
        </Col>
      </Row>
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={12}>
          <Section title={t("admin.queues")}>
            <ScrollRegion label={t("admin.queues")}>
              <Table
                size="small"
                rowKey="resource"
                dataSource={queues}
                pagination={false}
                scroll={{ x: "max-content" }}
                data-testid="admin-queues"
                columns={[
                  { title: t("admin.resource"), dataIndex: "resource", key: "resource", render: (v: string) => <Tag>{v}</Tag> },
                  ...QUEUE_STATES.map((st) => ({
                    title: t(st === "queued" ? "admin.queued" : st === "blocked" ? "admin.blocked" : "admin.running"),
                    dataIndex: st,
                    key: st,
                    align: "right" as const,
                    render: (v: number | undefined) => v ?? 0,
                  })),
                ]}
              />
            </ScrollRegion>
            <Typography.Paragraph type="secondary" style={{ fontSize: 12, margin: "8px 0 0" }}>
              {t("admin.queuesHelp")}
            </Typography.Paragraph>
          </Section>
        </Col>
        <Col xs={24} lg={12}>
          <Section title={t("admin.webhookBacklog")}>
            <Row gutter={[12, 12]}>
              <Col xs={12} sm={6}>
                <Statistic title={t("admin.whPending")} value={wh.pending} />
              </Col>
              <Col xs={12} sm={6}>
                <Statistic title={t("admin.whDelivering")} value={wh.delivering} />
              </Col>
              <Col xs={12} sm={6}>
                <Statistic title={t("admin.whFailed")} value={wh.failed} styles={{ content: wh.failed > 0 ? { color: "#cf1322" } : undefined }} />
              </Col>
              <Col xs={12} sm={6}>
                <Statistic title={t("admin.whSucceeded")} value={wh.succeeded} />
              </Col>
            </Row>
            <Typography.Paragraph type="secondary" style={{ fontSize: 12, margin: "12px 0 0" }}>
              {wh.oldest_waiting_at
                ? t("admin.whOldest", { when: f.relative(wh.oldest_waiting_at) })
                : t("admin.whNoneWaiting")}
            </Typography.Paragraph>
          </Section>
        </Col>
        <Col xs={24}>
          <Section title={t("admin.throughput")}>
            <Flex gap={24} wrap="wrap" style={{ marginBottom: 12 }}>
              {WINDOWS.map((w) => (
                <Typography.Text key={w} type={(s.failed[w] ?? 0) > 0 ? "danger" : "secondary"}>
                  {t("admin.failedIn", { w: windowLabel(t, w), n: s.failed[w] ?? 0 })}
                </Typography.Text>
              ))}
            </Flex>
            <ThroughputTable status={s} />
          </Section>
        </Col>
        <Col xs={24}>
          <Section title={t("admin.providers")}>
            <ProvidersStatus refreshMs={auto ? PROVIDERS_REFRESH_MS : false} />
          </Section>
        </Col>
        <Col xs={24}>
          <Section title={t("admin.workers")}>
            <WorkersRegistry refreshMs={auto ? STATUS_REFRESH_MS : false} />
            <Typography.Paragraph type="secondary" style={{ fontSize: 12, margin: "8px 0 0" }}>
              {t("admin.workersHelp")}
            </Typography.Paragraph>
          </Section>
        </Col>
        <Col xs={24}>
          <Section title={t("admin.runningTasks", { n: s.running_tasks.length })}>
            <RunningTable tasks={s.running_tasks} />
          </Section>
        </Col>
      </Row>
    </Flex>
  );
}
