import { describe, expect, it } from "vitest";
import { bindingBudget, costSummary, type EstimateLine, type ProjectCost } from "./cost";
import type { Catalog } from "./routing";

const noBudget = { project_budget: null, cost_per_project: null, cost_per_day: null, spent_today: 0, remaining: null };

function cost(over: Partial<ProjectCost> = {}): ProjectCost {
  return {
    currency: "USD",
    spent: 0,
    spent_by_capability: {},
    estimate: 0,
    estimate_lines: [
      { capability: "image", provider: "sketch", count: 4, units: { images: 4 }, cost: 0 },
      { capability: "voice", provider: "espeak", count: 4, units: { characters: 300 }, cost: 0 },
    ],
    budget: noBudget,
    ...over,
  };
}

const info = (name: string, offline: boolean) => ({ name, offline, quality: 3, speed: 3, configured: true, problem: null, prices: {} });
const catalog: Catalog = {
  currency: "USD",
  key_slots: [],
  routes: {},
  providers: { image: [info("sketch", true), info("openai", false)], voice: [info("espeak", true), info("edge", false)] },
};

describe("costSummary", () => {
  it("says free because the providers are offline", () => {
    const s = costSummary(cost(), catalog);
    expect(s).toMatchObject({ free: true, offline: true, remaining: null, binding: null, overBudget: false, paid: [], unserved: [] });
  });

  it("says free (not offline) when a free provider needs the network, or the catalog is unknown", () => {
    const lines = [{ capability: "voice", provider: "edge", count: 2, units: { characters: 100 }, cost: 0 }];
    expect(costSummary(cost({ estimate_lines: lines }), catalog)).toMatchObject({ free: true, offline: false });
    expect(costSummary(cost(), undefined)).toMatchObject({ free: true, offline: false });
  });

  it("knows when nothing is left to make", () => {
    expect(costSummary(cost({ estimate_lines: [] }), catalog)).toMatchObject({ free: true, offline: false, nothingLeft: true });
    expect(costSummary(cost(), catalog).nothingLeft).toBe(false);
  });

  it("is not free once something was spent or will be", () => {
    expect(costSummary(cost({ spent: 0.12 }), catalog).free).toBe(false);
    const lines: EstimateLine[] = [
      { capability: "image", provider: "openai", count: 4, units: { images: 4 }, cost: 0.16 },
      { capability: "voice", provider: "espeak", count: 4, units: { characters: 300 }, cost: 0 },
      { capability: "motion", provider: "http", count: 2, units: { video_seconds: 10 }, cost: 0.5 },
    ];
    const s = costSummary(cost({ estimate: 0.66, estimate_lines: lines }), catalog);
    expect(s.free).toBe(false);
    expect(s.paid.map((l) => l.provider)).toEqual(["http", "openai"]);
  });

  it("names the work nobody is set up to do", () => {
    const lines = [{ capability: "motion", provider: null, count: 3, units: {}, cost: 0 }];
    expect(costSummary(cost({ estimate_lines: lines }), catalog).unserved).toEqual(["motion"]);
  });

  it("tells what the budget leaves and whether finishing fits", () => {
    const budget = { ...noBudget, project_budget: 1, remaining: 0.4 };
    const s = costSummary(cost({ spent: 0.6, estimate: 0.5, budget }), catalog);
    expect(s.remaining).toBe(0.4);
    expect(s.binding).toEqual({ kind: "project_budget", limit: 1, left: 0.4 });
    expect(s.overBudget).toBe(true);
    expect(costSummary(cost({ spent: 0.6, estimate: 0.3, budget }), catalog).overBudget).toBe(false);
  });
});

describe("bindingBudget", () => {
  it("picks the budget that leaves the least", () => {
    expect(bindingBudget(noBudget, 1)).toBeNull();
    expect(bindingBudget({ ...noBudget, project_budget: 5, cost_per_project: 3 }, 1)).toEqual({ kind: "cost_per_project", limit: 3, left: 2 });
    expect(bindingBudget({ ...noBudget, project_budget: 5, cost_per_day: 2, spent_today: 1.5 }, 1)).toEqual({ kind: "cost_per_day", limit: 2, left: 0.5 });
    expect(bindingBudget({ ...noBudget, project_budget: 1 }, 3)).toEqual({ kind: "project_budget", limit: 1, left: 0 });
  });
});
