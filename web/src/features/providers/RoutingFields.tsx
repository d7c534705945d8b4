/** The route editor the account's settings and a project's settings share: per capability, the
 * providers to try in order (from the server's catalog) and how to choose among them. Its
 * fields live in the surrounding antd Form under `routing.<capability>.providers|strategy`
 * (see routing.ts), so the server's 422s land on them. Empty fields follow the layer below. */
import { Alert, ConfigProvider, Flex, Form, Select, Typography } from "antd";
import { errorMessage } from "../../api/client";
import { useT } from "../../i18n";
import { useFormat } from "../../lib/format";
import { useProviderCatalog } from "./api";
import { CAPABILITIES, ROUTING_FIELD, STRATEGIES, providerChoices, type Capability, type RouteOut } from "./routing";
import { capabilityLabel, priceText, routeText, strategyLabel } from "./text";

interface Props {
  /** What an empty route follows: the account's settings (a project) or the server's (the account). */
  follows: "account" | "server";
  /** Each capability's route as it is now (shown under it). */
  current?: Record<string, RouteOut>;
  /** `current` is what is in use ("In use: …") or the account's routes ("Your account: …"). */
  currentIs?: "inUse" | "account";
  /** Unique on the page: the controls' ids start with it. */
  idPrefix: string;
  disabled?: boolean;
}

/** An empty route's placeholder ("Follow my account settings") is what it does, so it must be
 * readable: antd's 25 % black falls below WCAG AA (axe-core checks it); this passes. */
const READABLE_PLACEHOLDER = { token: { colorTextPlaceholder: "rgba(0, 0, 0, 0.56)" } };

interface Option {
  value: string;
  label: string;
  detail: string;
  title?: string;
  warn: boolean;
}

export function RoutingFields({ follows, current, currentIs = "inUse", idPrefix, disabled }: Props) {
  const t = useT();
  const f = useFormat();
  const catalog = useProviderCatalog();
  const form = Form.useFormInstance();
  // Re-rendered as the routes change (a provider the server no longer has stays listed).
  const routing = Form.useWatch(ROUTING_FIELD, form) as Record<string, { providers?: string[] } | undefined> | undefined;
  const followText = t(follows === "account" ? "providers.follow.account" : "providers.follow.server");

  const optionsFor = (capability: Capability, chosen: string[]): Option[] =>
    providerChoices(catalog.data, capability, chosen).map((p) => {
      if ("unknown" in p) return { value: p.name, label: p.name, detail: t("providers.notOnServer"), warn: true };
      const bits = [
        p.offline ? t("providers.offline") : null,
        p.configured ? null : t("providers.notSetUp"),
        t("providers.quality", { n: p.quality }),
        t("providers.speed", { n: p.speed }),
        priceText(t, f, p.prices, catalog.data?.currency ?? ""),
      ].filter(Boolean);
      return { value: p.name, label: p.name, detail: bits.join(" · "), title: p.problem ?? undefined, warn: !p.configured };
    });

  const strategyOptions = STRATEGIES.map((s) => ({ value: s, label: strategyLabel(t, s) }));

  return (
    <ConfigProvider theme={READABLE_PLACEHOLDER}>
    <div data-testid={`${idPrefix}-routing`} style={{ maxWidth: 760 }}>
      <Typography.Paragraph type="secondary" style={{ fontSize: 13 }}>
        {t("providers.orderHint")}
      </Typography.Paragraph>
      {catalog.isError && (
        <Alert type="warning" showIcon role="alert" title={t("providers.catalogFailed")} description={errorMessage(catalog.error)} style={{ marginBottom: 16 }} />
      )}
      {CAPABILITIES.map((capability) => {
        const name = capabilityLabel(t, capability);
        const id = `${idPrefix}-${capability}-providers`;
        const route = current?.[capability];
        const chosen = routing?.[capability]?.providers ?? (form.getFieldValue([ROUTING_FIELD, capability, "providers"]) as string[] | undefined) ?? [];
        return (
          <Form.Item
            key={capability}
            label={name}
            htmlFor={id}
            extra={route ? t(currentIs === "inUse" ? "providers.inUse" : "providers.accountUses", { route: routeText(t, route) }) : undefined}
            style={{ marginBottom: 16 }}
          >
            <Flex gap={8} wrap="wrap">
              <div style={{ flex: "1 1 220px", minWidth: 0 }}>
                <Form.Item noStyle name={[ROUTING_FIELD, capability, "providers"]}>
                  <Select<string[], Option>
                    id={id}
                    mode="multiple"
                    allowClear
                    disabled={disabled}
                    loading={catalog.isLoading}
                    aria-label={t("providers.providersLabel", { cap: name })}
                    placeholder={followText}
                    options={optionsFor(capability, chosen)}
                    optionFilterProp="label"
                    optionRender={(option) => (
                      <div title={option.data.title}>
                        <div>{option.data.label}</div>
                        <Typography.Text type={option.data.warn ? undefined : "secondary"} style={{ fontSize: 12, whiteSpace: "normal", color: option.data.warn ? "#ad6800" : undefined }}>
                          {option.data.detail}
                        </Typography.Text>
                      </div>
                    )}
                    style={{ width: "100%" }}
                    data-testid={`route-providers-${capability}`}
                  />
                </Form.Item>
              </div>
              <div style={{ flex: "0 1 200px", minWidth: 150 }}>
                <Form.Item noStyle name={[ROUTING_FIELD, capability, "strategy"]}>
                  <Select
                    id={`${idPrefix}-${capability}-strategy`}
                    allowClear
                    disabled={disabled}
                    aria-label={t("providers.strategyLabel", { cap: name })}
                    placeholder={t("providers.strategyDefault")}
                    options={strategyOptions}
                    style={{ width: "100%" }}
                    data-testid={`route-strategy-${capability}`}
                  />
                </Form.Item>
              </div>
            </Flex>
          </Form.Item>
        );
      })}
    </div>
    </ConfigProvider>
  );
}
