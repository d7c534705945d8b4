import { describe, expect, it } from "vitest";
import { translate } from "../../i18n";
import { groupIssues, lengthLabel } from "./brief";

describe("the brief on the page", () => {
  it("says a length in seconds, minutes, or both, in the UI's language", () => {
    const en = (key: Parameters<typeof translate>[1], vars?: Record<string, string | number>) => translate("en", key, vars);
    const zh = (key: Parameters<typeof translate>[1], vars?: Record<string, string | number>) => translate("zh", key, vars);
    expect(lengthLabel(en, 30)).toBe("30 seconds");
    expect(lengthLabel(en, 60)).toBe("1 min");
    expect(lengthLabel(en, 90.4)).toBe("1 min 30 s");
    expect(lengthLabel(zh, 45)).toBe("45 秒");
    expect(lengthLabel(zh, 120)).toBe("2 分钟");
  });

  it("groups the open issues by kind, in the server's order", () => {
    const groups = groupIssues([
      { kind: "assumed", field: "style", message: "a" },
      { kind: "missing", field: "setting", message: "b", question: "Where?" },
      { kind: "contradiction", field: "aspect", message: "c", question: "Which?" },
      { kind: "missing", field: "goal", message: "d" },
    ]);
    expect(groups.contradictions.map((i) => i.message)).toEqual(["c"]);
    expect(groups.missing.map((i) => i.message)).toEqual(["b", "d"]);
    expect(groups.assumed.map((i) => i.message)).toEqual(["a"]);
  });
});
