import { ClockCircleOutlined, PictureOutlined, VideoCameraOutlined } from "@ant-design/icons";
import { Alert, Card, Flex, Progress, Skeleton, Typography } from "antd";
import type { ReactNode } from "react";
import { errorMessage } from "../../api/client";
import { useUsage } from "../../api/queries";
import { useI18n } from "../../i18n";
import { formatDuration, formatNumber, relativeTime } from "../../lib/format";

interface GaugeProps {
  icon: ReactNode;
  label: string;
  used: number;
  limit: number | null | undefined;
  show: (n: number) => string;
  testId: string;
}

function Gauge({ icon, label, used, limit, show, testId }: GaugeProps) {
  const { t } = useI18n();
  const limited = limit !== null && limit !== undefined;
  const percent = limited ? Math.min(100, Math.round((used / Math.max(1, limit)) * 100)) : 0;
  const text = limited
    ? t("projects.usage.of", { used: show(used), limit: show(limit) })
    : t("projects.usage.noLimit", { used: show(used) });
  return (
    <div style={{ flex: "1 1 150px", minWidth: 0 }} data-testid={testId}>
      <Flex align="center" gap={6}>
        <span aria-hidden="true" style={{ color: "#5b3df5" }}>
          {icon}
        </span>
        <Typography.Text type="secondary" style={{ fontSize: 13 }}>
          {label}
        </Typography.Text>
      </Flex>
      <Typography.Text strong style={{ fontSize: 15 }}>
        {text}
      </Typography.Text>
      {limited && (
        <Progress
          percent={percent}
          size="small"
          showInfo={false}
          status={percent >= 100 ? "exception" : "normal"}
          aria-label={`${label}: ${text}`}
          style={{ margin: 0 }}
        />
      )}
    </div>
  );
}

/** Today's quota use in one compact row: images, videos, render time. */
export function UsageSummary({ now }: { now: number }) {
  const { t, lang } = useI18n();
  const usage = useUsage();
  if (usage.isPending) {
    return (
      <Card size="small" aria-busy="true">
        <Skeleton active title={false} paragraph={{ rows: 2 }} />
      </Card>
    );
  }
  if (usage.isError) {
    return <Alert type="warning" showIcon title={t("projects.usage.error", { message: errorMessage(usage.error) })} />;
  }
  const { today, quotas, plan, resets_at: resetsAt } = usage.data;
  const count = (n: number) => formatNumber(n, lang);
  return (
    <Card size="small" data-testid="usage-summary">
      <section aria-label={t("projects.usage.label")}>
        <Flex wrap gap={16} align="flex-end">
          <Gauge
            icon={<PictureOutlined />}
            label={t("projects.usage.images")}
            used={today.images}
            limit={quotas.images_per_day}
            show={count}
            testId="usage-images"
          />
          <Gauge
            icon={<VideoCameraOutlined />}
            label={t("projects.usage.videos")}
            used={today.videos}
            limit={quotas.videos_per_day}
            show={count}
            testId="usage-videos"
          />
          <Gauge
            icon={<ClockCircleOutlined />}
            label={t("projects.usage.render")}
            used={today.render_seconds}
            limit={quotas.render_seconds_per_day}
            show={formatDuration}
            testId="usage-render"
          />
          <Flex vertical style={{ flex: "1 1 150px", minWidth: 0 }}>
            <Typography.Text type="secondary" style={{ fontSize: 13 }}>
              {t("projects.usage.plan", { plan })}
            </Typography.Text>
            <Typography.Text type="secondary" style={{ fontSize: 13 }}>
              {t("projects.usage.resets", { when: relativeTime(resetsAt, now, lang, t("projects.justNow")) })}
            </Typography.Text>
          </Flex>
        </Flex>
      </section>
    </Card>
  );
}
