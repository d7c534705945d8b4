import { cleanup, render, screen } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { I18nProvider } from "../../i18n";
import type { ProjectCost } from "../providers/cost";
import type { Catalog } from "../providers/routing";
import { CostBlock } from "./CostBlock";

// The server calls are stubbed: what is under test is what the block says about a cost.
const state = vi.hoisted(() => ({ cost: null as unknown, catalog: null as unknown }));
vi.mock("./api", () => ({ useProjectCost: () => state.cost }));
vi.mock("../providers/api", () => ({ useProviderCatalog: () => ({ data: state.catalog }) }));

const info = (name: string, offline: boolean) => ({ name, offline, quality: 3, speed: 3, configured: true, problem: null, prices: {} });
const catalog: Catalog = {
  currency: "USD",
  key_slots: [],
  routes: {},
  providers: { image: [info("sketch", true), info("openai", false)], voice: [info("espeak", true)], motion: [info("http", false)] },
};
const noBudget = { project_budget: null, cost_per_project: null, cost_per_day: null, spent_today: 0, remaining: null };

function loaded(over: Partial<ProjectCost>) {
  const data: ProjectCost = {
    currency: "USD",
    spent: 0,
    spent_by_capability: {},
    estimate: 0,
    estimate_lines: [
      { capability: "image", provider: "sketch", count: 3, units: { images: 3 }, cost: 0 },
      { capability: "voice", provider: "espeak", count: 3, units: { characters: 200 }, cost: 0 },
    ],
    budget: noBudget,
    ...over,
  };
  state.cost = { isPending: false, isError: false, data };
}

function show(lang: "en" | "zh" = "en") {
  localStorage.setItem("storyreel.lang", lang);
  return render(
    <I18nProvider>
      <CostBlock projectId="p1" />
    </I18nProvider>,
  );
}

describe("CostBlock", () => {
  beforeEach(() => {
    state.catalog = catalog;
  });
  afterEach(cleanup);

  it("says plainly that offline providers are free", () => {
    loaded({});
    show();
    expect(screen.getByTestId("render-cost")).toHaveAttribute("data-state", "free");
    expect(screen.getByTestId("cost-free")).toHaveTextContent("Free: offline providers");
    expect(screen.queryByTestId("cost-spent")).toBeNull();
    expect(screen.queryByTestId("cost-remaining")).toBeNull();
  });

  it("says so when all is made and nothing was charged", () => {
    loaded({ estimate_lines: [] });
    show();
    expect(screen.getByTestId("cost-free")).toHaveTextContent("Free: nothing was charged");
  });

  it("shows what was spent, what finishing costs by step, and what the budget leaves", () => {
    loaded({
      spent: 0.12,
      estimate: 0.66,
      estimate_lines: [
        { capability: "image", provider: "openai", count: 4, units: { images: 4 }, cost: 0.16 },
        { capability: "motion", provider: "http", count: 2, units: { video_seconds: 10 }, cost: 0.5 },
      ],
      budget: { ...noBudget, project_budget: 2, remaining: 1.88 },
    });
    show();
    expect(screen.getByTestId("render-cost")).toHaveAttribute("data-state", "priced");
    expect(screen.getByTestId("cost-spent")).toHaveTextContent("$0.12");
    expect(screen.getByTestId("cost-estimate")).toHaveTextContent("$0.66");
    expect(screen.getByRole("list", { name: "What finishing would cost, by step" })).toHaveTextContent("Moving clips: 2 × http, $0.50");
    expect(screen.getByTestId("cost-remaining")).toHaveTextContent("$1.88of this project's budget of $2.00");
    expect(screen.queryByTestId("cost-over-budget")).toBeNull();
  });

  it("warns when finishing would pass the budget, in Chinese too", () => {
    loaded({ spent: 0.9, estimate: 0.5, budget: { ...noBudget, cost_per_day: 1, spent_today: 0.9, remaining: 0.1 } });
    show("zh");
    expect(screen.getByText("已花费")).toBeInTheDocument();
    expect(screen.getByTestId("cost-remaining")).toHaveTextContent("你的每日上限");
    expect(screen.getByTestId("cost-over-budget")).toHaveTextContent("超过剩余预算");
  });

  it("shows the server's message when the cost cannot be read", () => {
    state.cost = { isPending: false, isError: true, error: new Error("no such project") };
    show();
    expect(screen.getByTestId("render-cost")).toHaveTextContent("Could not load the cost: no such project");
  });
});
