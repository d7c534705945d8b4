/** Helpers the end-to-end tests share: accounts, screenshots, accessibility and console checks. */
import AxeBuilder from "@axe-core/playwright";
import { expect, type APIRequestContext, type Page, type TestInfo } from "@playwright/test";
import fs from "node:fs";
import path from "node:path";

export const PASSWORD = "a long enough password";
export const ADMIN = {
  email: process.env.E2E_ADMIN_EMAIL ?? "admin@example.com",
  password: process.env.E2E_ADMIN_PASSWORD ?? "admin password 1",
};

/** Screenshots of the studio's pages, kept as CI artifacts and linked from docs/studio.md. */
export const SCREENSHOTS = path.resolve("test-results/screenshots");

export const CHINESE_STORY =
  "清晨，小镇的钟声响起。林小雨背着画板走向湖边。她在湖边遇见了一只受伤的白鹤。" +
  "林小雨小心地为白鹤包扎伤口。傍晚，白鹤振翅飞向晚霞，林小雨笑着挥手告别。";

let counter = 0;
export function uniqueEmail(prefix: string): string {
  counter += 1;
  return `${prefix}-${Date.now().toString(36)}-${counter}@example.com`;
}

/** Where a running render can be watched: the server answers 404 until its first segment is
 * ready, and the studio asks every 2 s until then (the browser logs each 404 as an error). */
const LIVE_NOT_YET = /\/api\/v1\/projects\/[^/?]+\/live(\?|$)/;

/** Fail the test on any console error or uncaught page error. */
export function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on("console", (m) => {
    if (m.type() !== "error") return;
    if (m.text().includes("status of 404") && LIVE_NOT_YET.test(m.location().url)) return;
    problems.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  return problems;
}

export async function signUpInUi(page: Page, email: string, password = PASSWORD): Promise<void> {
  await page.goto("/signup");
  await page.getByLabel(/^email$/i).fill(email);
  await page.getByLabel(/^password$/i).fill(password);
  await page.getByRole("button", { name: /create account/i }).click();
  await expect(page).toHaveURL(/\/projects$/);
}

export async function signInInUi(page: Page, email: string, password = PASSWORD): Promise<void> {
  await page.goto("/login");
  await page.getByLabel(/^email$/i).fill(email);
  await page.getByLabel(/^password$/i).fill(password);
  await page.getByRole("button", { name: /^sign in$/i }).click();
  await expect(page).toHaveURL(/\/projects$/);
}

/** An account made over the API (faster than the form when the form is not under test). */
export async function apiAccount(
  request: APIRequestContext,
  email: string,
  password = PASSWORD,
): Promise<string> {
  const registered = await request.post("/api/v1/auth/register", { data: { email, password } });
  expect(registered.status(), await registered.text()).toBe(201);
  return apiToken(request, email, password);
}

export async function apiToken(request: APIRequestContext, email: string, password: string): Promise<string> {
  const login = await request.post("/api/v1/auth/login", { data: { email, password } });
  expect(login.ok(), await login.text()).toBeTruthy();
  return ((await login.json()) as { access_token: string }).access_token;
}

export async function apiProject(
  request: APIRequestContext,
  token: string,
  body: Record<string, unknown>,
): Promise<{ id: string; title: string }> {
  const created = await request.post("/api/v1/projects", {
    data: body,
    headers: { Authorization: `Bearer ${token}` },
  });
  expect(created.status(), await created.text()).toBe(201);
  return (await created.json()) as { id: string; title: string };
}

/** Wait until the API says the project is `status` (draft once its storyboard is written). */
export async function waitForProject(
  request: APIRequestContext,
  token: string,
  id: string,
  done: (p: { status: string; shots: unknown[] }) => boolean,
  timeoutMs = 180_000,
): Promise<void> {
  await expect
    .poll(
      async () => {
        const r = await request.get(`/api/v1/projects/${id}`, { headers: { Authorization: `Bearer ${token}` } });
        return done((await r.json()) as { status: string; shots: unknown[] });
      },
      { timeout: timeoutMs, intervals: [1000] },
    )
    .toBe(true);
}

export async function snap(page: Page, name: string, testInfo: TestInfo): Promise<void> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const width = page.viewportSize()?.width ?? 0;
  const file = path.join(SCREENSHOTS, `${name}-${width <= 500 ? "phone" : "desktop"}.png`);
  // From the top: a full-page shot of a scrolled page draws the sticky header mid-page.
  await page.evaluate(() => window.scrollTo(0, 0));
  // It would draw the phone's fixed bottom bar where the screen ended, over the page; show it at
  // the end of the page instead, in the room kept for it there.
  const bar = await page.addStyleTag({
    content: ".studio:has(.studio-bottom-bar) { position: relative } .studio-bottom-bar { position: absolute !important }",
  });
  await page.screenshot({ path: file, fullPage: true });
  await bar.evaluate((style) => (style as HTMLStyleElement).remove());
  await testInfo.attach(name, { path: file, contentType: "image/png" });
}

/** No axe-core violations of serious or critical impact. */
export async function expectAccessible(page: Page): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  const summary = bad.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join("; ")}`);
  expect(summary, "axe-core serious/critical violations").toEqual([]);
}

/** The page does not scroll sideways. */
export async function expectNoHorizontalScroll(page: Page): Promise<void> {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, "horizontal overflow in px").toBeLessThanOrEqual(0);
}
