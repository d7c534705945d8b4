/** Watch while it renders: the render panel plays the render's growing HLS playlist while the
 * render task still runs, then the final video with its quality check, whose report opens. */
import { expect, test, type APIRequestContext, type Locator, type Page, type TestInfo } from "@playwright/test";
import fs from "node:fs";
import path from "node:path";
import { apiAccount, apiProject, expectAccessible, SCREENSHOTS, signInInUi, uniqueEmail, waitForProject, watchConsole } from "./support";

// Eight shots at the final quality: long enough that the film can be watched for a while
// before the render (and its quality check) is done, even on a fast machine.
const STORY = [
  "Mara keeps the lighthouse on the northern cliff, far from any town.",
  "Every evening she climbs the hundred steps and polishes the great lens.",
  "One stormy night a small fishing boat drifts toward the black rocks.",
  "Mara lights the lamp and rings the iron bell again and again.",
  "The fisherman sees the beam through the rain and turns his boat away.",
  "At dawn the sea is calm and silver under a pale sky.",
  "The fisherman climbs the stairs with a basket of fresh bread to thank her.",
  "They drink tea by the window and watch the gulls over the quiet harbour.",
].join(" ");

interface ProjectState {
  tasks: { render?: { id: string; status: string } };
  latest_render: { task_id: string | null; qc: { outcome: string; checks: unknown[] } | null } | null;
}

async function projectState(request: APIRequestContext, token: string, id: string): Promise<ProjectState> {
  const r = await request.get(`/api/v1/projects/${id}`, { headers: { Authorization: `Bearer ${token}` } });
  expect(r.ok(), await r.text()).toBeTruthy();
  return (await r.json()) as ProjectState;
}

/** A screenshot for docs/studio.md of what is on screen, or of one part of it: a full-page
 * `snap` makes the player too small to see and leaves out the report's drawer. */
async function snapView(page: Page, name: string, testInfo: TestInfo, part?: Locator): Promise<void> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}-desktop.png`);
  await (part ?? page).screenshot({ path: file });
  await testInfo.attach(name, { path: file, contentType: "image/png" });
}

test("watch the render while it runs, then the final video and its quality check", async ({ page, request }, testInfo) => {
  test.setTimeout(600_000);
  const problems = watchConsole(page);
  const email = uniqueEmail("watcher");
  const token = await apiAccount(request, email);
  const project = await apiProject(request, token, { title: "The lighthouse keeper", story: STORY, quality: "final", auto: false });
  await waitForProject(request, token, project.id, (p) => p.status !== "running" && p.shots.length > 0);

  await signInInUi(page, email);
  await page.goto(`/projects/${project.id}`);
  await page.getByTestId("render-final").click();
  await page.mouse.move(0, 0); // no tooltip over the screenshot

  // The picture starts once the first segment is ready: poll the page, not the clock.
  const player = page.getByTestId("live-player");
  await expect(player).toBeVisible({ timeout: 300_000 });
  const video = page.getByTestId("live-video");
  await expect
    .poll(() => video.evaluate((v: HTMLVideoElement) => v.currentTime > 0 && !v.paused && v.readyState >= 2), { timeout: 120_000, intervals: [250] })
    .toBe(true);
  // It was playing while the render was not done yet (asked after: it was running then, too).
  const during = await projectState(request, token, project.id);
  const renderTask = during.tasks.render;
  expect(renderTask, "the project's render task").toBeTruthy();
  expect(["queued", "blocked", "running"], `render task ${renderTask?.id}`).toContain(renderTask?.status);
  await expect(player).toHaveAttribute("data-task-id", renderTask!.id);
  await expect(page.getByTestId("live-label")).toContainText(/Live — rendering, \d+ segments? ready/);
  await snapView(page, "studio-live", testInfo, page.getByTestId("render-panel"));

  // The render ends: the final video takes the live picture's place, with its quality check.
  await expect(page.getByTestId("video-player")).toBeVisible({ timeout: 300_000 });
  await expect(player).toHaveCount(0);
  const done = await projectState(request, token, project.id);
  expect(done.tasks.render?.status).toBe("succeeded");
  expect(done.latest_render?.task_id).toBe(renderTask!.id);
  const qc = done.latest_render?.qc;
  expect(qc, "the render's quality check").toBeTruthy();
  const panel = page.getByTestId("render-panel");
  const badge = panel.getByTestId("qc-badge").first();
  await expect(badge).toHaveAttribute("data-outcome", qc!.outcome);
  await expect(badge).toHaveText(qc!.outcome === "ok" ? "Checked ✓" : /Needs attention/);
  // The history's newest entry carries it too.
  await expect(panel.getByTestId("render-history-item").first().getByTestId("qc-badge")).toHaveAttribute("data-outcome", qc!.outcome);

  await badge.click();
  const report = page.getByTestId("qc-report");
  await expect(report).toBeVisible();
  await expect(report.getByTestId("qc-summary")).toBeVisible();
  await expect(report.getByTestId("qc-check")).toHaveCount(qc!.checks.length);
  await expect(report.locator('[data-testid="qc-check"][data-name="loudness"]')).toContainText("Loudness");
  await expectAccessible(page);
  await snapView(page, "studio-qc", testInfo);

  expect(problems, "console errors").toEqual([]);
});
