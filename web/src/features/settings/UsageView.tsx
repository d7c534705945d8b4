import { ClockCircleOutlined } from "@ant-design/icons";
import { Card, Col, Flex, Grid, Progress, Row, Table, Tag, Typography, theme } from "antd";
import type { Schemas } from "../../api/client";
import { useT } from "../../i18n";
import { useFormat, type Format } from "../../lib/format";
import { ScrollRegion } from "../../components/ScrollRegion";

type Usage = Schemas["UserUsageOut"];
type Day = Schemas["DayUsageOut"];

const WARN_AT = 80;

function Meter({
  label,
  used,
  limit,
  show,
  testId,
}: {
  label: string;
  used: number;
  limit: number | null | undefined;
  show: (n: number) => string;
  testId: string;
}) {
  const t = useT();
  const { token } = theme.useToken();
  const unlimited = limit === null || limit === undefined;
  const percent = unlimited ? 0 : limit === 0 ? 100 : Math.min(100, Math.round((used / limit) * 100));
  const text = unlimited ? t("settings.usageOfUnlimited", { used: show(used) }) : t("settings.usageOf", { used: show(used), limit: show(limit) });
  return (
    <Card size="small" data-testid={testId} style={{ height: "100%" }}>
      <Typography.Text type="secondary">{label}</Typography.Text>
      <div style={{ fontSize: 20, fontWeight: 600, margin: "4px 0" }}>{text}</div>
      {unlimited ? (
        <Tag>{t("settings.noDailyLimit")}</Tag>
      ) : (
        <Progress
          percent={percent}
          status={percent >= 100 ? "exception" : "normal"}
          strokeColor={percent >= 100 ? undefined : percent >= WARN_AT ? token.colorWarning : undefined}
          aria-label={`${label}: ${text}`}
        />
      )}
    </Card>
  );
}

function Bar({ value, max, label }: { value: number; max: number; label: string }) {
  const { token } = theme.useToken();
  const width = max > 0 ? Math.max(value > 0 ? 4 : 0, Math.round((value / max) * 100)) : 0;
  return (
    <Flex align="center" gap={8}>
      <span style={{ minWidth: 28, textAlign: "right" }}>{label}</span>
      <span aria-hidden style={{ flex: 1, minWidth: 40, height: 6, borderRadius: 3, background: token.colorFillSecondary }}>
        <span style={{ display: "block", width: `${width}%`, height: "100%", borderRadius: 3, background: token.colorPrimary }} />
      </span>
    </Flex>
  );
}

function historyColumns(t: ReturnType<typeof useT>, f: Format, days: Day[], detailed: boolean, bars: boolean) {
  const maxImages = Math.max(0, ...days.map((d) => d.images));
  return [
    { title: t("settings.usageDay"), dataIndex: "date", key: "date", render: (v: string) => f.day(v) },
    {
      title: t("settings.usageImages"),
      dataIndex: "images",
      key: "images",
      width: bars ? 160 : undefined,
      align: bars ? undefined : ("right" as const),
      render: (v: number) => (bars ? <Bar value={v} max={maxImages} label={f.number(v)} /> : f.number(v)),
    },
    { title: t("settings.usageVideos"), dataIndex: "videos", key: "videos", align: "right" as const, render: (v: number) => f.number(v) },
    {
      title: t("settings.usageRender"),
      dataIndex: "render_seconds",
      key: "render",
      align: "right" as const,
      render: (v: number) => f.duration(v),
    },
    ...(detailed
      ? [
          {
            title: t("settings.usageCalls"),
            dataIndex: "provider_calls",
            key: "calls",
            align: "right" as const,
            render: (v: number) => f.number(v),
          },
          {
            title: t("settings.usageCost"),
            dataIndex: "provider_cost",
            key: "cost",
            align: "right" as const,
            render: (v: number) => f.number(v, 4),
          },
        ]
      : []),
  ];
}

/** Today's use against the effective quotas, when they reset, and a per-day history. */
export function UsageView({
  usage,
  detailed = false,
  headingLevel = 3,
}: {
  usage: Usage;
  detailed?: boolean;
  headingLevel?: 2 | 3 | 4;
}) {
  const t = useT();
  const f = useFormat();
  const screens = Grid.useBreakpoint();
  const q = usage.quotas;
  const days = [...usage.days].reverse(); // newest first
  return (
    <Flex vertical gap={16}>
      <Row gutter={[16, 16]}>
        <Col xs={24} md={8}>
          <Meter label={t("settings.usageImagesToday")} used={usage.today.images} limit={q.images_per_day} show={(n) => f.number(n)} testId="usage-images" />
        </Col>
        <Col xs={24} md={8}>
          <Meter label={t("settings.usageVideosToday")} used={usage.today.videos} limit={q.videos_per_day} show={(n) => f.number(n)} testId="usage-videos" />
        </Col>
        <Col xs={24} md={8}>
          <Meter
            label={t("settings.usageRenderToday")}
            used={usage.today.render_seconds}
            limit={q.render_seconds_per_day}
            show={f.duration}
            testId="usage-render"
          />
        </Col>
      </Row>
      <Flex gap={16} wrap="wrap">
        <Typography.Text type="secondary" data-testid="usage-resets">
          <ClockCircleOutlined aria-hidden />{" "}
          {t("settings.usageResets", { when: f.relative(usage.resets_at), at: f.dateTime(usage.resets_at) })}
        </Typography.Text>
        <Typography.Text type="secondary">
          {t("settings.usageMaxDuration")}:{" "}
          {q.max_duration_s === null || q.max_duration_s === undefined ? t("settings.unlimited") : f.duration(q.max_duration_s)}
        </Typography.Text>
        <Typography.Text type="secondary">
          {t("settings.usageMaxResolution")}:{" "}
          {q.max_resolution === null || q.max_resolution === undefined ? t("settings.unlimited") : `${q.max_resolution}p`}
        </Typography.Text>
      </Flex>
      <div>
        <Typography.Title level={headingLevel} style={{ fontSize: 15, margin: "0 0 8px" }}>
          {t("settings.usageHistory", { n: usage.days.length })}
        </Typography.Title>
        <ScrollRegion label={t("settings.usageHistory", { n: usage.days.length })}>
          <Table<Day>
            size="small"
            rowKey="date"
            dataSource={days}
            columns={historyColumns(t, f, usage.days, detailed, screens.sm !== false)}
            pagination={false}
            scroll={{ x: "max-content" }}
            data-testid="usage-history"
          />
        </ScrollRegion>
        <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0, fontSize: 12 }}>
          {t("settings.usageUtc")}
        </Typography.Paragraph>
      </div>
    </Flex>
  );
}
