import { describe, expect, it } from "vitest";
import { shot } from "./fixtures";
import { applyOrder, moveShot, moveShotBy, shotIds } from "./order";

describe("reordering", () => {
  const shots = [shot("a", { position: 0 }), shot("b", { position: 1 }), shot("c", { position: 2 })];

  it("moves a dragged shot where it was dropped and renumbers", () => {
    const moved = moveShot(shots, "c", "a")!;
    expect(shotIds(moved)).toEqual(["c", "a", "b"]);
    expect(moved.map((s) => s.position)).toEqual([0, 1, 2]);
    expect(shots.map((s) => s.id)).toEqual(["a", "b", "c"]); // not mutated
  });

  it("ignores drops on itself or on unknown shots", () => {
    expect(moveShot(shots, "a", "a")).toBeNull();
    expect(moveShot(shots, "a", "zzz")).toBeNull();
  });

  it("moves up and down by one, and not past the ends", () => {
    expect(shotIds(moveShotBy(shots, "b", -1)!)).toEqual(["b", "a", "c"]);
    expect(shotIds(moveShotBy(shots, "b", 1)!)).toEqual(["a", "c", "b"]);
    expect(moveShotBy(shots, "a", -1)).toBeNull();
    expect(moveShotBy(shots, "c", 1)).toBeNull();
  });

  it("applies a pending order over fresher data, keeping shots added meanwhile", () => {
    const fresh = [...shots, shot("d", { position: 3 })];
    const ordered = applyOrder(fresh, ["c", "b", "gone", "a"]);
    expect(shotIds(ordered)).toEqual(["c", "b", "a", "d"]);
    expect(ordered.map((s) => s.position)).toEqual([0, 1, 2, 3]);
  });
});
