/** The render panel's cost: what the project's AI providers have cost so far, what making the
 * video from here would still cost, and what its budget leaves — or plainly that it is free. */
import { CheckCircleFilled, DollarOutlined, WarningOutlined } from "@ant-design/icons";
import { Skeleton, Typography } from "antd";
import { errorMessage } from "../../api/client";
import { useI18n, useT } from "../../i18n";
import { useFormat } from "../../lib/format";
import { useProviderCatalog } from "../providers/api";
import { costSummary } from "../providers/cost";
import { capabilityLabel } from "../providers/text";
import { useProjectCost } from "./api";

/** antd's warning colour is too light for small text (WCAG AA); this one reads. */
const WARN = { fontSize: 12, color: "#ad6800" } as const;

export function CostBlock({ projectId }: { projectId: string }) {
  const t = useT();
  const f = useFormat();
  const { lang } = useI18n();
  const cost = useProjectCost(projectId);
  const catalog = useProviderCatalog();

  const heading = (
    <Typography.Title level={3} style={{ fontSize: 14, margin: 0 }}>
      <DollarOutlined aria-hidden /> {t("studio.cost.title")}
    </Typography.Title>
  );
  if (cost.isPending) {
    return (
      <div className="studio-cost" data-testid="render-cost" aria-busy="true">
        {heading}
        <Skeleton active title={false} paragraph={{ rows: 2 }} />
      </div>
    );
  }
  if (cost.isError) {
    return (
      <div className="studio-cost" data-testid="render-cost" data-state="error">
        {heading}
        <Typography.Text type="secondary" style={{ fontSize: 13 }}>
          {t("studio.cost.loadFailed", { message: errorMessage(cost.error) })}
        </Typography.Text>
      </div>
    );
  }

  const s = costSummary(cost.data, catalog.data);
  const money = (n: number) => f.money(n, s.currency);
  const list = (items: string[]) => items.join(lang === "zh" ? "、" : ", ");
  const budgetLine =
    s.remaining !== null ? (
      <div className="studio-cost-row">
        <dt>{t("studio.cost.remaining")}</dt>
        <dd data-testid="cost-remaining" data-amount={s.remaining}>
          {money(s.remaining)}
          {s.binding && (
            <Typography.Text type="secondary" style={{ fontSize: 12, marginInlineStart: 6 }}>
              {t(`studio.cost.budget.${s.binding.kind}`, { limit: money(s.binding.limit) })}
            </Typography.Text>
          )}
        </dd>
      </div>
    ) : null;

  return (
    <div className="studio-cost" data-testid="render-cost" data-state={s.free ? "free" : "priced"}>
      {heading}
      {s.free ? (
        <Typography.Text data-testid="cost-free">
          <CheckCircleFilled aria-hidden style={{ color: "#52c41a", marginInlineEnd: 6 }} />
          {t(s.offline ? "studio.cost.freeOffline" : s.nothingLeft ? "studio.cost.freeDone" : "studio.cost.free")}
        </Typography.Text>
      ) : null}
      {(!s.free || budgetLine) && (
      <dl className="studio-cost-list">
        {!s.free && (
          <>
            <div className="studio-cost-row">
              <dt>{t("studio.cost.spent")}</dt>
              <dd data-testid="cost-spent" data-amount={s.spent}>
                {money(s.spent)}
              </dd>
            </div>
            <div className="studio-cost-row">
              <dt>{t("studio.cost.estimate")}</dt>
              <dd data-testid="cost-estimate" data-amount={s.estimate}>
                {money(s.estimate)}
              </dd>
              {s.paid.length > 0 && (
                <dd className="studio-cost-detail">
                  <ul className="studio-cost-lines" aria-label={t("studio.cost.breakdown")}>
                    {s.paid.map((line) => (
                      <li key={`${line.capability}/${line.provider}`}>
                        {t("studio.cost.line", {
                          what: capabilityLabel(t, line.capability),
                          n: f.number(line.count),
                          provider: line.provider ?? "—",
                          cost: money(line.cost),
                        })}
                      </li>
                    ))}
                  </ul>
                </dd>
              )}
            </div>
          </>
        )}
        {budgetLine}
      </dl>
      )}
      {s.overBudget && (
        <Typography.Text style={WARN} data-testid="cost-over-budget">
          <WarningOutlined aria-hidden /> {t("studio.cost.overBudget")}
        </Typography.Text>
      )}
      {s.unserved.length > 0 && (
        <Typography.Text style={WARN} data-testid="cost-unserved">
          <WarningOutlined aria-hidden /> {t("studio.cost.unserved", { what: list(s.unserved.map((c) => capabilityLabel(t, c))) })}
        </Typography.Text>
      )}
    </div>
  );
}
