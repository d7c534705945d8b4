/** Provider routes as a form edits them, free of React: what the server stores (per capability,
 * only what a layer sets) to the form's fields and back, and what changed. Used by the
 * account's settings (PUT /me/routing) and a project's (PATCH /projects/{id}). */
import type { Schemas } from "../../api/client";

export type RoutingIn = Schemas["RoutingIn"];
export type RouteOut = Schemas["RouteOut"];
export type Catalog = Schemas["CatalogOut"];
export type ProviderInfo = Schemas["ProviderInfo"];

/** The capabilities a route is set for, in the order the work runs. */
export const CAPABILITIES = ["storyboard", "image", "voice", "motion", "music"] as const;
export type Capability = (typeof CAPABILITIES)[number];

export const STRATEGIES = ["ordered", "cost", "quality", "speed", "balanced"] as const;
export type Strategy = (typeof STRATEGIES)[number];

/** One capability's route in the form: no providers and no strategy follow the layer below. */
export interface RouteFields {
  providers: string[];
  strategy: Strategy | undefined;
}
export type RoutingFields = Record<Capability, RouteFields>;

/** The form field that holds the routes (both forms keep them under `routing`). */
export const ROUTING_FIELD = "routing";

/** The fields the server may name in a 422, as dotted paths (for `applyFieldErrors`). */
export const ROUTING_FIELD_PATHS: readonly string[] = CAPABILITIES.flatMap((c) => [
  `${ROUTING_FIELD}.${c}.providers`,
  `${ROUTING_FIELD}.${c}.strategy`,
  `${ROUTING_FIELD}.${c}`,
]);

/** PUT /me/routing takes the routes as its body: its 422s name `image.providers`; the form's
 * field is `routing.image.providers` (the renames for `applyFieldErrors`). */
export const ROUTING_BODY_RENAME: Record<string, string> = Object.fromEntries(
  CAPABILITIES.map((c) => [c, `${ROUTING_FIELD}.${c}`]),
);

function isStrategy(value: unknown): value is Strategy {
  return typeof value === "string" && (STRATEGIES as readonly string[]).includes(value);
}

/** The form's fields for routes as the server stores them (`{}`, or `{image: {providers:
 * ["openai", "sketch"], strategy: "cost"}}`); anything unreadable is left to follow. */
export function routingFields(routing: Record<string, unknown> | null | undefined): RoutingFields {
  const out = {} as RoutingFields;
  for (const capability of CAPABILITIES) {
    const route = routing?.[capability];
    const fields: RouteFields = { providers: [], strategy: undefined };
    if (route && typeof route === "object") {
      const { providers, strategy } = route as { providers?: unknown; strategy?: unknown };
      if (Array.isArray(providers)) fields.providers = providers.filter((p): p is string => typeof p === "string");
      if (isStrategy(strategy)) fields.strategy = strategy;
    }
    out[capability] = fields;
  }
  return out;
}

/** What to send for the form's routes: only the capabilities that set something (`{}` follows
 * the layer below for all). Duplicate providers are sent once. */
export function routingPayload(fields: Partial<Record<Capability, Partial<RouteFields> | undefined>> | undefined): RoutingIn {
  const out: RoutingIn = {};
  for (const capability of CAPABILITIES) {
    const route = fields?.[capability];
    const providers = [...new Set((route?.providers ?? []).map((p) => p.trim()).filter(Boolean))];
    const strategy = isStrategy(route?.strategy) ? route.strategy : undefined;
    if (providers.length === 0 && strategy === undefined) continue;
    out[capability] = {
      ...(providers.length > 0 ? { providers } : {}),
      ...(strategy !== undefined ? { strategy } : {}),
    };
  }
  return out;
}

/** Whether two payloads set the same routes (the providers' order matters). */
export function sameRouting(a: RoutingIn, b: RoutingIn): boolean {
  return CAPABILITIES.every((c) => {
    const x = a[c] ?? null;
    const y = b[c] ?? null;
    if (!x || !y) return !x && !y;
    const xp = x.providers ?? [];
    const yp = y.providers ?? [];
    return (x.strategy ?? null) === (y.strategy ?? null) && xp.length === yp.length && xp.every((p, i) => p === yp[i]);
  });
}

/** The capabilities a payload sets a route for. */
export function overridden(routing: RoutingIn): Capability[] {
  return CAPABILITIES.filter((c) => !!routing[c]);
}

/** The catalog's providers for a capability, those set up on the server first (then by name);
 * a provider a route names that the server no longer has is kept, so it can be removed. */
export function providerChoices(catalog: Catalog | undefined, capability: Capability, chosen: readonly string[] = []): (ProviderInfo | { name: string; unknown: true })[] {
  const known = [...(catalog?.providers[capability] ?? [])].sort(
    (a, b) => Number(b.configured) - Number(a.configured) || a.name.localeCompare(b.name),
  );
  const names = new Set(known.map((p) => p.name));
  const missing = chosen.filter((n) => !names.has(n)).map((name) => ({ name, unknown: true as const }));
  return [...known, ...missing];
}

/** Prices shown per this many units (a token or a character costs a tiny fraction). */
const PER: Record<string, number> = { input_tokens: 1000, output_tokens: 1000, characters: 1000 };

export interface PricePart {
  unit: string;
  /** The price of `per` units. */
  price: number;
  per: number;
}

/** A provider's prices, per a readable number of units; empty when it charges nothing. */
export function priceParts(prices: Record<string, number> | undefined): PricePart[] {
  return Object.entries(prices ?? {})
    .filter(([, price]) => price > 0)
    .map(([unit, price]) => {
      const per = PER[unit] ?? 1;
      return { unit, per, price: price * per };
    });
}
