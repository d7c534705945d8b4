/** A project's cost in a few words, free of React: spent so far, what making the video from here
 * would still cost, whether it is all free, and which budget limits what is left. */
import type { Schemas } from "../../api/client";
import type { Catalog } from "./routing";

export type ProjectCost = Schemas["ProjectCostOut"];
export type Budget = Schemas["BudgetOut"];
export type EstimateLine = Schemas["EstimateLineOut"];
export type BudgetKind = "project_budget" | "cost_per_project" | "cost_per_day";

/** Below this an amount is nothing (the server rounds to 6 decimals). */
const NOTHING = 5e-7;

export interface BindingBudget {
  kind: BudgetKind;
  limit: number;
  /** What that budget has left (never below 0). */
  left: number;
}

export interface CostSummary {
  currency: string;
  spent: number;
  estimate: number;
  /** Nothing spent and nothing to pay to finish. */
  free: boolean;
  /** Free because every provider still to be used needs no network (known from the catalog). */
  offline: boolean;
  /** Nothing is left to make (the estimate has no work in it). */
  nothingLeft: boolean;
  /** What may still be spent (null: no limit applies). */
  remaining: number | null;
  /** The budget that leaves the least, when one applies. */
  binding: BindingBudget | null;
  /** The finish would cost more than is left. */
  overBudget: boolean;
  /** Estimate lines that cost something, the dearest first. */
  paid: EstimateLine[];
  /** Capabilities with work left and no provider set up to do it. */
  unserved: string[];
}

/** Which budget leaves the least: the project's own, the account's per-project limit (both
 * against what the project spent), or the account's daily limit (against today's spending). */
export function bindingBudget(budget: Budget, spent: number): BindingBudget | null {
  const candidates: BindingBudget[] = [];
  const add = (kind: BudgetKind, limit: number | null, used: number) => {
    if (limit === null || limit === undefined) return;
    candidates.push({ kind, limit, left: Math.max(0, limit - used) });
  };
  add("project_budget", budget.project_budget, spent);
  add("cost_per_project", budget.cost_per_project, spent);
  add("cost_per_day", budget.cost_per_day, budget.spent_today);
  if (candidates.length === 0) return null;
  return candidates.reduce((best, c) => (c.left < best.left ? c : best));
}

export function costSummary(cost: ProjectCost, catalog?: Catalog): CostSummary {
  const lines = cost.estimate_lines;
  const free = Math.abs(cost.spent) < NOTHING && Math.abs(cost.estimate) < NOTHING && lines.every((l) => Math.abs(l.cost) < NOTHING);
  const offlineNames = (capability: string) => new Set((catalog?.providers[capability] ?? []).filter((p) => p.offline).map((p) => p.name));
  const served = lines.filter((l) => l.provider !== null);
  const offline = free && !!catalog && served.length > 0 && served.every((l) => offlineNames(l.capability).has(l.provider as string));
  const binding = bindingBudget(cost.budget, cost.spent);
  const remaining = cost.budget.remaining ?? binding?.left ?? null;
  return {
    currency: cost.currency,
    spent: cost.spent,
    estimate: cost.estimate,
    free,
    offline,
    nothingLeft: lines.every((l) => l.count === 0),
    remaining,
    binding,
    overBudget: remaining !== null && cost.estimate > remaining + NOTHING,
    paid: lines.filter((l) => l.cost >= NOTHING).sort((a, b) => b.cost - a.cost),
    unserved: [...new Set(lines.filter((l) => l.provider === null && l.count > 0).map((l) => l.capability))],
  };
}
