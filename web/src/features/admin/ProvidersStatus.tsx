/** Every provider this server has: on the system's route or not, set up or why not, its circuit
 * breaker, calls and failures in this process, its typical time; "Check now" asks each one's
 * service whether it is up (probe=true) and shows the answer. */
import { SyncOutlined } from "@ant-design/icons";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Badge, Button, Empty, Flex, Skeleton, Table, Tag, Typography } from "antd";
import { useState } from "react";
import { api, unwrap, type Schemas } from "../../api/client";
import { queryKeys } from "../../api/queries";
import { QueryError } from "../../components/QueryError";
import { ScrollRegion } from "../../components/ScrollRegion";
import { useT, type TFunction } from "../../i18n";
import { useFormat } from "../../lib/format";
import { capabilityLabel } from "../providers/text";

type ProviderStatus = Schemas["ProviderStatusOut"];

// The status colours (the theme's, which pass WCAG AA on their tints), not the lighter presets.
const CIRCUIT_COLOURS: Record<string, string> = { closed: "success", half_open: "warning", open: "error" };

function circuitLabel(t: TFunction, circuit: string): string {
  switch (circuit) {
    case "closed":
      return t("admin.circuitClosed");
    case "open":
      return t("admin.circuitOpen");
    case "half_open":
      return t("admin.circuitHalfOpen");
    default:
      return circuit;
  }
}

export function ProvidersStatus({ refreshMs }: { refreshMs: number | false }) {
  const t = useT();
  const f = useFormat();
  // 0: figures only (refreshed with the rest of the page); a time: the probe asked for then.
  const [probedAt, setProbedAt] = useState(0);
  const probe = probedAt > 0;
  const providers = useQuery({
    queryKey: queryKeys.admin("providers", { probedAt }),
    queryFn: () => unwrap(api.GET("/api/v1/admin/providers", { params: { query: { probe } } })),
    // A probe calls every network provider: only when asked, never on a timer.
    refetchInterval: probe ? false : refreshMs,
    refetchIntervalInBackground: false,
    refetchOnWindowFocus: !probe,
    staleTime: probe ? Infinity : 0,
    placeholderData: keepPreviousData,
  });

  const checkButton = (
    <Button
      size="small"
      icon={<SyncOutlined spin={probe && providers.isFetching} />}
      loading={probe && providers.isFetching}
      onClick={() => setProbedAt(Date.now())}
      data-testid="admin-providers-check"
    >
      {t("admin.providersCheck")}
    </Button>
  );

  let body;
  if (providers.isPending) body = <Skeleton active paragraph={{ rows: 4 }} />;
  else if (providers.isError && !providers.data) body = <QueryError error={providers.error} onRetry={() => void providers.refetch()} />;
  else if (providers.data.length === 0) body = <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t("admin.noProviders")} />;
  else {
    const probed = providers.data.some((p) => p.health !== null);
    body = (
      <ScrollRegion label={t("admin.providers")}>
        <Table<ProviderStatus>
          size="small"
          rowKey={(p) => `${p.capability}/${p.provider}`}
          dataSource={providers.data}
          pagination={false}
          scroll={{ x: "max-content" }}
          data-testid="admin-providers"
          columns={[
            { title: t("admin.provCapability"), dataIndex: "capability", key: "capability", render: (v: string) => capabilityLabel(t, v) },
            { title: t("admin.provProvider"), dataIndex: "provider", key: "provider", render: (v: string) => <Typography.Text code>{v}</Typography.Text> },
            {
              title: t("admin.provInRoute"),
              dataIndex: "in_route",
              key: "in_route",
              render: (v: boolean) => (v ? <Tag color="purple">{t("admin.provInRouteYes")}</Tag> : <Typography.Text type="secondary">—</Typography.Text>),
            },
            {
              title: t("admin.provSetUp"),
              key: "configured",
              render: (_, p) =>
                p.configured ? (
                  <Badge status="success" text={t("admin.provConfigured")} />
                ) : (
                  <div style={{ maxWidth: 320, whiteSpace: "normal" }}>
                    <Badge status="default" text={t("admin.provNotConfigured")} />
                    {p.problem && (
                      <div style={{ fontSize: 12, color: "rgba(0,0,0,0.65)", wordBreak: "break-word" }} data-testid="admin-provider-problem">
                        {p.problem}
                      </div>
                    )}
                  </div>
                ),
            },
            {
              title: t("admin.provCircuit"),
              dataIndex: "circuit",
              key: "circuit",
              render: (v: string, p) => (
                <Flex vertical gap={2} align="flex-start">
                  <Tag color={CIRCUIT_COLOURS[v] ?? "default"} data-testid="admin-provider-circuit" data-circuit={v} style={{ marginInlineEnd: 0 }}>
                    {circuitLabel(t, v)}
                  </Tag>
                  {p.consecutive_failures > 0 && (
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {t("admin.provInARow", { n: p.consecutive_failures })}
                    </Typography.Text>
                  )}
                </Flex>
              ),
            },
            {
              title: t("admin.provCalls"),
              key: "calls",
              align: "right",
              render: (_, p) => (
                <span>
                  {f.number(p.calls)} / <Typography.Text type={p.failures > 0 ? "danger" : undefined}>{f.number(p.failures)}</Typography.Text>
                </span>
              ),
            },
            {
              title: t("admin.provTypical"),
              dataIndex: "typical_seconds",
              key: "typical",
              align: "right",
              render: (v: number | null) => (v === null ? "—" : f.duration(v)),
            },
            ...(probed
              ? [
                  {
                    title: t("admin.provHealth"),
                    key: "health",
                    render: (_: unknown, p: ProviderStatus) =>
                      p.health ? (
                        <div style={{ maxWidth: 320, whiteSpace: "normal" }} data-testid="admin-provider-health" data-ok={p.health.ok ? "true" : "false"}>
                          <Badge status={p.health.ok ? "success" : "error"} text={`${t(p.health.ok ? "admin.provUp" : "admin.provDown")} · ${t("admin.provMs", { ms: f.number(p.health.ms, 1) })}`} />
                          {p.health.detail && p.health.detail !== p.problem && (
                            <div style={{ fontSize: 12, color: "rgba(0,0,0,0.65)", wordBreak: "break-word" }}>{p.health.detail}</div>
                          )}
                        </div>
                      ) : (
                        <Typography.Text type="secondary">{t("admin.provNotChecked")}</Typography.Text>
                      ),
                  },
                ]
              : []),
          ]}
        />
      </ScrollRegion>
    );
  }

  return (
    <Flex vertical gap={8}>
      <Flex justify="space-between" align="center" gap={8} wrap="wrap">
        <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="admin-providers-checked">
          {probe && !providers.isPlaceholderData && providers.dataUpdatedAt
            ? t("admin.providersChecked", { when: f.dateTime(new Date(providers.dataUpdatedAt).toISOString()) })
            : t("admin.providersHelp")}
        </Typography.Text>
        {checkButton}
      </Flex>
      {providers.isError && providers.data && <QueryError error={providers.error} onRetry={() => void providers.refetch()} />}
      {body}
    </Flex>
  );
}
