import { describe, expect, it } from "vitest";
import { catalogs } from "./catalog";
import { detectLang, translate } from "./index";

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe("the message catalogs", () => {
  it("translate every English string into Chinese, with the same placeholders", () => {
    const en = catalogs.en as Record<string, string>;
    const zh = catalogs.zh as Record<string, string>;
    expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort());
    for (const [key, text] of Object.entries(en)) {
      expect(text.trim(), key).not.toBe("");
      expect(zh[key].trim(), key).not.toBe("");
      expect(placeholders(zh[key]), key).toEqual(placeholders(text));
    }
  });

  it("keep every key under its feature's prefix", () => {
    for (const key of Object.keys(catalogs.en)) {
      expect(key).toMatch(/^(common|nav|auth|projects|studio|settings|admin|providers|assistant|pwa)\./);
    }
  });
});

describe("detectLang", () => {
  it("prefers the stored choice", () => {
    expect(detectLang("en", ["zh-CN"])).toBe("en");
    expect(detectLang("zh", ["en-US"])).toBe("zh");
  });
  it("follows the browser's first known language", () => {
    expect(detectLang(null, ["zh-TW", "en"])).toBe("zh");
    expect(detectLang(null, ["fr-FR", "en-GB"])).toBe("en");
    expect(detectLang("klingon", ["de"])).toBe("en");
  });
});

describe("translate", () => {
  it("fills placeholders and leaves unknown ones visible", () => {
    expect(translate("en", "common.quotaImages", { used: 3, limit: 10 })).toBe("Images today: 3 of 10");
    expect(translate("zh", "common.quotaImages", { used: 3 })).toBe("今日图片：已用 3 / {limit}");
  });
});
