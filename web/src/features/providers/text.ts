/** Providers in words, in the UI's language: capability and strategy names, a route, prices. */
import type { TFunction } from "../../i18n";
import type { Format } from "../../lib/format";
import { CAPABILITIES, STRATEGIES, priceParts, type Capability, type RouteOut, type Strategy } from "./routing";

export function isCapability(value: string): value is Capability {
  return (CAPABILITIES as readonly string[]).includes(value);
}

/** "Pictures" for "image"; an unknown capability as the server names it. */
export function capabilityLabel(t: TFunction, capability: string): string {
  return isCapability(capability) ? t(`providers.cap.${capability}`) : capability;
}

export function strategyLabel(t: TFunction, strategy: string): string {
  return (STRATEGIES as readonly string[]).includes(strategy) ? t(`providers.strategy.${strategy as Strategy}`) : strategy;
}

/** "openai → sketch · Cheapest first". */
export function routeText(t: TFunction, route: RouteOut): string {
  return t("providers.route", { providers: route.providers.join(" → ") || "—", strategy: strategyLabel(t, route.strategy) });
}

const UNIT_KEYS = {
  images: "providers.unit.images",
  characters: "providers.unit.characters",
  input_tokens: "providers.unit.input_tokens",
  output_tokens: "providers.unit.output_tokens",
  video_seconds: "providers.unit.video_seconds",
  audio_seconds: "providers.unit.audio_seconds",
} as const;

/** "$0.04 per picture; $0.015 per 1,000 characters", or "free". */
export function priceText(t: TFunction, f: Format, prices: Record<string, number> | undefined, currency: string): string {
  const parts = priceParts(prices);
  if (parts.length === 0) return t("providers.free");
  return parts
    .map(({ unit, price, per }) => {
      const vars = { price: f.money(price, currency), per: f.number(per), unit: unit.replace(/_/g, " ") };
      if (unit in UNIT_KEYS) return t(UNIT_KEYS[unit as keyof typeof UNIT_KEYS], vars);
      return t(per === 1 ? "providers.unit.each" : "providers.unit.other", vars);
    })
    .join("; ");
}
