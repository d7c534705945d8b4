import { describe, expect, it } from "vitest";
import { asset, project, shot, state } from "./fixtures";
import { computeProgress } from "./progress";
import type { Project } from "./types";

describe("computeProgress", () => {
  it("counts pictures and voices per shot and weights the overall percentage", () => {
    const shots = [
      shot("a", { image: asset("i1"), tasks: { image: state("succeeded", 100), voice: state("succeeded", 100) }, voice: asset("v1") }),
      shot("b", { tasks: { image: state("running", 50), voice: state("succeeded", 100) }, voice: asset("v2") }),
      shot("c", { tasks: { image: state("queued"), voice: state("running", 20) } }),
      shot("d", { tasks: { image: state("blocked"), voice: state("succeeded", 100) }, voice: asset("v3") }),
    ];
    const p = computeProgress(project({ shots, tasks: { storyboard: state("succeeded", 100), render: state("blocked") } }));
    const by = Object.fromEntries(p.stages.map((s) => [s.key, s]));
    expect(by.pictures).toMatchObject({ done: 1, total: 4, status: "running", percent: 38 }); // (1 + .5) / 4
    expect(by.voices).toMatchObject({ done: 3, total: 4, status: "running", percent: 80 }); // (3 + .2) / 4
    expect(by.storyboard).toMatchObject({ status: "done", percent: 100 });
    expect(by.render).toMatchObject({ status: "waiting", percent: 0 });
    expect(p.active).toBe(true);
    // storyboard 1×100 + pictures 4×38 + voices 2×80 + render 3×0, over 1+4+2+3
    expect(p.overall).toBe(Math.round((100 + 4 * 38 + 2 * 80) / 10));
  });

  it("is 100 % with nothing left to do, and never 100 % while something is still working", () => {
    const done = shot("a", { image: asset("i"), voice: asset("v"), motion: { type: "none" }, tasks: { image: state("succeeded", 100) } });
    const finished = computeProgress(
      project({ shots: [done], tasks: { storyboard: state("succeeded", 100), render: state("succeeded", 100) }, latest_render: {} as Project["latest_render"] }),
    );
    expect(finished.overall).toBe(100);
    expect(finished.active).toBe(false);
    const nearly = computeProgress(project({ shots: [done], tasks: { storyboard: state("succeeded", 100), render: state("running", 100) } }));
    expect(nearly.active).toBe(true);
    expect(nearly.overall).toBe(99);
  });

  it("reports failures per stage and overall", () => {
    const shots = [shot("a", { tasks: { image: state("failed") } }), shot("b", { image: asset("x"), tasks: { image: state("succeeded", 100) } })];
    const p = computeProgress(project({ shots, tasks: { storyboard: state("succeeded", 100) } }));
    const pictures = p.stages.find((s) => s.key === "pictures")!;
    expect(pictures).toMatchObject({ status: "failed", failed: 1, done: 1 });
    expect(p.failed).toBe(true);
    expect(p.active).toBe(false);
  });

  it("while the storyboard is written, counts the steps it will plan at 0 %", () => {
    const p = computeProgress(project({ auto: true, tasks: { storyboard: state("running", 50) } }));
    // storyboard 1×50 over storyboard 1 + pictures 4 + voices 2 + render 3
    expect(p.overall).toBe(5);
    const manual = computeProgress(project({ auto: false, tasks: { storyboard: state("running", 50) } }));
    expect(manual.overall).toBe(50);
  });

  it("treats a step with output and no task as done (a duplicated project)", () => {
    const p = computeProgress(project({ shots: [shot("a", { image: asset("i"), voice: asset("v") })] }));
    expect(p.stages.find((s) => s.key === "pictures")).toMatchObject({ done: 1, status: "done" });
    expect(p.stages.find((s) => s.key === "music")).toBeUndefined();
    expect(p.stages.find((s) => s.key === "motion")).toBeUndefined();
  });
});
