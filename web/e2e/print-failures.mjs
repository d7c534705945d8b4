// After an e2e run: each failed attempt's test title and the start of its error — those of
// tests that passed on their retry (flaky) too — printed last, so that a CI log's tail (often
// all that is kept) says what went wrong, not where the trace is. Prints nothing when all passed.
import fs from "node:fs";

const file = process.argv[2] ?? "test-results/results.json";
if (!fs.existsSync(file)) {
  console.error(`no ${file}: the run ended before Playwright wrote its report`);
  process.exit(0);
}
const report = JSON.parse(fs.readFileSync(file, "utf8"));
const strip = (text) => text.replace(/\u001b\[[0-9;]*m/g, "");

function* specs(suite, path = []) {
  const here = suite.title ? [...path, suite.title] : path;
  for (const spec of suite.specs ?? []) yield [here, spec];
  for (const child of suite.suites ?? []) yield* specs(child, here);
}

let header = false;
for (const suite of report.suites ?? []) {
  for (const [path, spec] of specs(suite)) {
    for (const test of spec.tests ?? []) {
      for (const result of test.results ?? []) {
        if (result.status === "passed" || result.status === "skipped") continue;
        if (!header) {
          console.error("\n=== e2e failures (a test that passed on its retry is flaky: fix it) ===");
          header = true;
        }
        console.error(`\n✘ ${[...path, spec.title].join(" › ")} (${result.status}, ${Math.round(result.duration / 1000)} s)`);
        for (const error of result.errors ?? []) {
          const lines = strip(error.message ?? String(error.value ?? "")).split("\n").slice(0, 14);
          console.error(lines.map((l) => `  ${l}`).join("\n"));
          if (error.location) console.error(`  at ${error.location.file}:${error.location.line}`);
        }
      }
    }
  }
}
