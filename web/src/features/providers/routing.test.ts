import { describe, expect, it } from "vitest";
import { ApiError } from "../../api/client";
import { fieldErrors } from "../../lib/fieldErrors";
import {
  ROUTING_BODY_RENAME,
  ROUTING_FIELD_PATHS,
  overridden,
  priceParts,
  providerChoices,
  routingFields,
  routingPayload,
  sameRouting,
  type Catalog,
} from "./routing";

const catalog: Catalog = {
  currency: "USD",
  key_slots: [],
  routes: {},
  providers: {
    image: [
      { name: "sketch", offline: true, quality: 1, speed: 5, configured: true, problem: null, prices: {} },
      { name: "openai", offline: false, quality: 5, speed: 3, configured: false, problem: "needs a key", prices: { images: 0.04 } },
      { name: "comfyui", offline: false, quality: 4, speed: 3, configured: true, problem: null, prices: {} },
    ],
  },
};

describe("routingFields", () => {
  it("reads what a layer set and leaves the rest to follow", () => {
    const fields = routingFields({ image: { providers: ["openai", "sketch"], strategy: "cost" }, voice: { strategy: "quality" } });
    expect(fields.image).toEqual({ providers: ["openai", "sketch"], strategy: "cost" });
    expect(fields.voice).toEqual({ providers: [], strategy: "quality" });
    expect(fields.music).toEqual({ providers: [], strategy: undefined });
    expect(Object.keys(fields)).toEqual(["storyboard", "image", "voice", "motion", "music"]);
  });

  it("ignores what it cannot read", () => {
    const fields = routingFields({ image: { providers: "sketch", strategy: "fastest" }, motion: 3, nonsense: {} });
    expect(fields.image).toEqual({ providers: [], strategy: undefined });
    expect(fields.motion).toEqual({ providers: [], strategy: undefined });
    expect(routingFields(null).storyboard).toEqual({ providers: [], strategy: undefined });
  });
});

describe("routingPayload", () => {
  it("sends only the capabilities that set something", () => {
    const fields = routingFields({});
    expect(routingPayload(fields)).toEqual({});
    fields.image = { providers: ["openai", "sketch", "openai"], strategy: undefined };
    fields.voice = { providers: [], strategy: "speed" };
    expect(routingPayload(fields)).toEqual({ image: { providers: ["openai", "sketch"] }, voice: { strategy: "speed" } });
  });

  it("round-trips what the server stores", () => {
    const stored = { image: { providers: ["comfyui"], strategy: "balanced" as const } };
    expect(routingPayload(routingFields(stored))).toEqual(stored);
    expect(routingPayload(undefined)).toEqual({});
  });
});

describe("sameRouting", () => {
  it("compares providers in order and strategies", () => {
    const a = { image: { providers: ["openai", "sketch"] } };
    expect(sameRouting(a, { image: { providers: ["openai", "sketch"] } })).toBe(true);
    expect(sameRouting(a, { image: { providers: ["sketch", "openai"] } })).toBe(false);
    expect(sameRouting(a, { image: { providers: ["openai", "sketch"], strategy: "cost" } })).toBe(false);
    expect(sameRouting(a, {})).toBe(false);
    expect(sameRouting({}, {})).toBe(true);
    expect(overridden({ image: { strategy: "cost" }, music: { providers: ["ambient"] } })).toEqual(["image", "music"]);
  });
});

describe("providerChoices", () => {
  it("lists the set-up providers first, and keeps one the server no longer has", () => {
    expect(providerChoices(catalog, "image", ["gone"]).map((p) => p.name)).toEqual(["comfyui", "sketch", "openai", "gone"]);
    expect(providerChoices(undefined, "voice")).toEqual([]);
  });
});

describe("priceParts", () => {
  it("shows tokens and characters per thousand, and nothing for free", () => {
    expect(priceParts({ images: 0.04 })).toEqual([{ unit: "images", price: 0.04, per: 1 }]);
    const [input] = priceParts({ input_tokens: 0.000002, output_tokens: 0 });
    expect(input.unit).toBe("input_tokens");
    expect(input.per).toBe(1000);
    expect(input.price).toBeCloseTo(0.002);
    expect(priceParts({ characters: 0 })).toEqual([]);
    expect(priceParts(undefined)).toEqual([]);
  });
});

describe("route field errors", () => {
  const refused = (field: string) => new ApiError(422, { code: 422, message: "no", errors: [{ field, message: "unknown provider" }] }, "422");
  it("land on the providers field, from a project's PATCH or the account's PUT", () => {
    expect(fieldErrors(refused("routing.image.providers"), ROUTING_FIELD_PATHS)).toEqual([
      { name: ["routing", "image", "providers"], errors: ["unknown provider"] },
    ]);
    expect(fieldErrors(refused("voice.strategy"), ROUTING_FIELD_PATHS, ROUTING_BODY_RENAME)).toEqual([
      { name: ["routing", "voice", "strategy"], errors: ["unknown provider"] },
    ]);
  });
});
