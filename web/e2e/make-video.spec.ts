/** The creator's path, in the browser: sign up, make a video from a Chinese story, watch it,
 * change a shot, re-render and download the MP4. */
import { expect, test, type Download, type Page } from "@playwright/test";
import fs from "node:fs";
import { CHINESE_STORY, expectAccessible, signUpInUi, snap, uniqueEmail, watchConsole } from "./support";

test.describe.configure({ mode: "serial" });

let page: Page;
let consoleProblems: string[];
let projectUrl = "";

test.beforeAll(async ({ browser }) => {
  // One page for the whole journey (axe-core needs it to come from a context).
  const context = await browser.newContext();
  page = await context.newPage();
  consoleProblems = watchConsole(page);
});

test.afterAll(async () => {
  await page.context().close();
});

test.afterEach(() => {
  expect(consoleProblems, "console errors").toEqual([]);
});

test("sign up and make a video from a Chinese story", async ({}, testInfo) => {
  await signUpInUi(page, uniqueEmail("creator"));
  await expect(page.getByTestId("new-project").first()).toBeVisible();
  await snap(page, "projects-empty", testInfo);

  await page.getByTestId("new-project").first().click();
  await expect(page).toHaveURL(/\/projects\/new$/);
  await page.getByTestId("story-input").fill(CHINESE_STORY);
  await page.getByTestId("title-input").fill("白鹤");
  await page.locator('[data-testid="style-option"][data-style="watercolor"]').click();
  await snap(page, "new-project", testInfo);
  await expectAccessible(page);
  await page.getByTestId("make-it").click();

  // The new project's page (not /projects/new itself, which matched at once when the server
  // was slow to answer and left projectUrl pointing at the form).
  await expect(page).toHaveURL(/\/projects\/(?!new$)[\w-]+$/);
  projectUrl = page.url();
  // Live progress: the status goes to running, then done, without a reload.
  await expect(page.getByTestId("project-status")).toHaveAttribute("data-status", /running|draft/);
  await expect(page.getByTestId("shot-card").first()).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId("project-status")).toHaveAttribute("data-status", "done", { timeout: 200_000 });
  await expect(page.getByTestId("shot-image").first()).toBeVisible();
  await snap(page, "studio", testInfo);
  await expectAccessible(page);
});

test("the finished video plays", async () => {
  const video = page.getByTestId("video-player");
  await expect(video).toBeVisible();
  await video.evaluate((v: HTMLVideoElement) => {
    v.muted = true;
    return v.play();
  });
  await expect
    .poll(() => video.evaluate((v: HTMLVideoElement) => v.ended || v.currentTime > 0.5), { timeout: 30_000 })
    .toBe(true);
});

test("edit a shot's prompt, regenerate its image, re-render and download the MP4", async ({}, testInfo) => {
  if (page.url() !== projectUrl) await page.goto(projectUrl);
  const card = page.getByTestId("shot-card").first();
  const image = card.getByTestId("shot-image");
  const before = await image.getAttribute("src");
  expect(before).toBeTruthy();

  const prompt = card.getByTestId("shot-prompt");
  await prompt.fill("A white crane rising over a misty lake at dawn, watercolor");
  await prompt.press("Control+Enter");
  await expect(card.getByTestId("shot-prompt-state")).toHaveAttribute("data-state", "saved");
  await page.reload(); // the server kept it
  await expect(page.getByTestId("shot-card").first().getByTestId("shot-prompt")).toHaveValue(/white crane rising/);

  // A changed prompt makes the picture again; the explicit button does too.
  await card.getByTestId("shot-regenerate-image").click();
  await expect.poll(() => image.getAttribute("src"), { timeout: 90_000 }).not.toBe(before);

  const renders = page.getByTestId("render-history-item");
  const rendersBefore = await renders.count();
  await page.getByTestId("render-final").click();
  await expect(page.getByTestId("render-progress")).toHaveAttribute("data-state", /running|done/, { timeout: 15_000 });
  // The new render appears in the history by itself, without a reload.
  await expect(renders).toHaveCount(rendersBefore + 1, { timeout: 200_000 });
  await expect(page.getByTestId("project-status")).toHaveAttribute("data-status", "done");

  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("download-mp4").click()]);
  expect(download.suggestedFilename()).toMatch(/\.mp4$/);
  const file = await download.path();
  const head = fs.readFileSync(file).subarray(4, 8).toString("latin1");
  expect(head).toBe("ftyp");
  expect(fs.statSync(file).size).toBeGreaterThan(10_000);

  // Export for editors: the bundle comes as a zip under the project's name (fetched with the
  // session's token, then saved by the browser).
  // The server answers each try; a refusal (409 while a render it counts as current is still
  // settling) is shown in its words, and the creator simply tries again.
  const bundle = await exportBundle(page);
  expect(bundle.suggestedFilename()).toMatch(/\.zip$/);
  expect(fs.readFileSync(await bundle.path()).subarray(0, 2).toString("latin1")).toBe("PK");
  await snap(page, "studio-rerendered", testInfo);

  // The list shows the finished video's poster and length.
  await page.getByRole("link", { name: "Projects" }).first().click();
  const listed = page.getByTestId("project-card").first();
  await expect(listed).toHaveAttribute("data-status", "done");
  await expect(listed.locator("img").first()).toBeVisible();
  await snap(page, "projects-with-video", testInfo);

  // The same studio in Chinese, for the docs.
  await page.goto(projectUrl);
  await page.getByTestId("language-switch").click();
  await page.getByRole("option", { name: "简体中文" }).click();
  await expect(page.getByTestId("render-final")).toContainText("成片");
  await expect(page.getByTestId("video-player")).toBeVisible();
  await snap(page, "studio-zh", testInfo);
});

/** Choose "Bundle" in the export menu until the server sends it (at most a minute); each
 * refusal's message is kept, so a failure says what the server answered. */
async function exportBundle(page: Page): Promise<Download> {
  const answers: string[] = [];
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (!(await page.getByTestId("export-bundle").isVisible())) await page.getByTestId("export-menu").click();
    const answered = page.waitForResponse((r) => r.url().includes("/export?format=bundle"), { timeout: 60_000 });
    const downloaded = page.waitForEvent("download", { timeout: 60_000 });
    await page.getByTestId("export-bundle").click();
    const response = await answered;
    if (response.ok()) return downloaded;
    downloaded.catch(() => undefined);
    answers.push(`${response.status()}: ${await response.text()}`);
    await page.waitForTimeout(2_000);
  }
  throw new Error(`the bundle was never sent: ${answers.join(" | ")}`);
}
