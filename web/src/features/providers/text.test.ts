import { describe, expect, it } from "vitest";
import { translate, type TFunction } from "../../i18n";
import { formatMoney, formatNumber, type Format } from "../../lib/format";
import { capabilityLabel, priceText, routeText, strategyLabel } from "./text";

const inLang = (lang: "en" | "zh") => {
  const t: TFunction = (key, vars) => translate(lang, key, vars);
  const f = { money: (a: number, c: string) => formatMoney(a, c, lang), number: (n: number, d = 0) => formatNumber(n, lang, d) } as Format;
  return { t, f };
};

describe("providers in words", () => {
  it("names capabilities and strategies, and keeps unknown ones as the server says", () => {
    const { t } = inLang("zh");
    expect(capabilityLabel(t, "image")).toBe("画面");
    expect(capabilityLabel(t, "subtitles")).toBe("subtitles");
    expect(strategyLabel(t, "cost")).toBe("最便宜优先");
    expect(strategyLabel(t, "random")).toBe("random");
  });

  it("writes a route", () => {
    const { t } = inLang("en");
    expect(routeText(t, { providers: ["openai", "sketch"], strategy: "ordered" })).toBe("openai → sketch · In the order listed");
  });

  it("writes prices per readable units, or free", () => {
    const en = inLang("en");
    expect(priceText(en.t, en.f, { images: 0.04 }, "USD")).toBe("$0.04 per picture");
    expect(priceText(en.t, en.f, { input_tokens: 0.000002, output_tokens: 0.000008 }, "USD")).toBe(
      "$0.002 per 1,000 input tokens; $0.008 per 1,000 output tokens",
    );
    expect(priceText(en.t, en.f, { gpu_seconds: 0.5 }, "USD")).toBe("$0.50 per unit of gpu seconds");
    expect(priceText(en.t, en.f, {}, "USD")).toBe("free");
    const zh = inLang("zh");
    expect(priceText(zh.t, zh.f, { video_seconds: 0.05 }, "CNY")).toBe("视频每秒 ¥0.05");
  });
});
