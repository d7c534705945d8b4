/** AI providers: an account stores its own provider key (shown only masked) and removes it; a
 * project gets a budget in its settings drawer and the render panel shows what it leaves; the
 * admin checks the providers' health. */
import { expect, test, type Page } from "@playwright/test";
import {
  ADMIN,
  apiAccount,
  apiProject,
  apiToken,
  expectAccessible,
  expectNoHorizontalScroll,
  PASSWORD,
  signInInUi,
  snap,
  uniqueEmail,
  waitForProject,
  watchConsole,
} from "./support";

const SECRET = "sk-e2e-secret-key-9876";

async function keyRow(page: Page, slot: string) {
  const row = page.locator(`[data-testid="provider-key-row"][data-slot="${slot}"]`);
  await expect(row).toBeVisible();
  return row;
}

test("store a provider key, see it only masked, and remove it", async ({ page, request }, testInfo) => {
  const problems = watchConsole(page);
  const email = uniqueEmail("keys");
  await apiAccount(request, email);
  await signInInUi(page, email, PASSWORD);

  await page.goto("/settings");
  await page.getByRole("tab", { name: /AI providers/ }).click();
  await expect(page).toHaveURL(/tab=providers/);
  await expect(page.getByTestId("provider-routes")).toBeVisible();
  await expect(page.getByTestId("route-providers-image")).toBeVisible();
  // The account follows the server: the effective route is shown under each capability.
  await expect(page.getByTestId("provider-routes")).toContainText("In use: sketch");

  // An account route: the pictures from sketch, the cheapest first; saved, it is in use.
  await page.getByTestId("route-providers-image").click();
  await page.locator(".ant-select-dropdown:visible .ant-select-item-option", { hasText: "sketch" }).click();
  await page.keyboard.press("Escape");
  await page.getByTestId("route-strategy-image").click();
  await page.locator(".ant-select-dropdown:visible .ant-select-item-option", { hasText: "Cheapest first" }).click();
  await page.getByTestId("provider-routes-save").click();
  await expect(page.getByText("Routes saved")).toBeVisible();
  await expect(page.getByTestId("provider-routes")).toContainText("In use: sketch · Cheapest first");
  const routing = await request.get("/api/v1/me/routing", { headers: { Authorization: `Bearer ${await apiToken(request, email, PASSWORD)}` } });
  expect(((await routing.json()) as { routing: unknown }).routing).toEqual({ image: { providers: ["sketch"], strategy: "cost" } });

  const row = await keyRow(page, "openai_image");
  await expect(row).toHaveAttribute("data-stored", "false");
  const input = row.getByLabel("API key for Pictures (OpenAI-compatible images)");
  await expect(input).toHaveAttribute("type", "password");

  // Too short: refused before it is sent.
  await input.fill("short");
  await row.getByTestId("provider-key-save").click();
  await expect(row.getByText("A key has at least 8 characters")).toBeVisible();

  await input.fill(SECRET);
  await row.getByTestId("provider-key-save").click();
  await expect(page.getByText("Key for Pictures (OpenAI-compatible images) saved")).toBeVisible();
  await expect(row).toHaveAttribute("data-stored", "true");
  await expect(row.getByTestId("provider-key-hint")).toHaveText("sk-…9876");
  // Never shown again: not on the page, not in the field it was typed in, not after a reload.
  await expect(row.getByTestId("provider-key-input")).toHaveValue("");
  expect(await page.content()).not.toContain(SECRET);
  await page.reload();
  const reloaded = await keyRow(page, "openai_image");
  await expect(reloaded.getByTestId("provider-key-hint")).toHaveText("sk-…9876");
  expect(await page.content()).not.toContain(SECRET);
  await expectNoHorizontalScroll(page);
  await expectAccessible(page);
  await snap(page, "settings-providers", testInfo);

  await reloaded.getByTestId("provider-key-remove").click();
  await page.getByTestId("provider-key-remove-confirm").click();
  await expect(page.getByText("Key for Pictures (OpenAI-compatible images) removed")).toBeVisible();
  await expect(reloaded).toHaveAttribute("data-stored", "false");
  await expect(reloaded.getByTestId("provider-key-hint")).toHaveCount(0);
  await expect(reloaded.getByTestId("provider-key-none")).toBeVisible();
  expect(problems).toEqual([]);
});

test("the AI providers tab on a phone, in Chinese", async ({ page, request }, testInfo) => {
  const problems = watchConsole(page);
  await page.setViewportSize({ width: 390, height: 844 });
  const email = uniqueEmail("keys-phone");
  const token = await apiAccount(request, email);
  // A stored key and an account route, so the photograph shows both.
  const stored = await request.put("/api/v1/me/provider-keys/llm", {
    data: { api_key: "sk-phone-test-4321" },
    headers: { Authorization: `Bearer ${token}` },
  });
  expect(stored.ok(), await stored.text()).toBeTruthy();
  const routed = await request.put("/api/v1/me/routing", {
    data: { voice: { providers: ["espeak"], strategy: "quality" } },
    headers: { Authorization: `Bearer ${token}` },
  });
  expect(routed.ok(), await routed.text()).toBeTruthy();
  await signInInUi(page, email, PASSWORD);
  await page.goto("/settings?tab=providers");
  await expect(page.getByTestId("provider-keys")).toBeVisible();
  await expect((await keyRow(page, "llm")).getByTestId("provider-key-hint")).toHaveText("sk-…4321");
  await expectNoHorizontalScroll(page);
  await expectAccessible(page);
  await snap(page, "settings-providers", testInfo);

  // The language switch itself is tested in accounts.spec.ts; here the choice is stored.
  await page.evaluate(() => localStorage.setItem("storyreel.lang", "zh"));
  await page.reload();
  await expect(page.getByRole("tab", { name: /AI 服务商/ })).toBeVisible();
  await expect(page.getByTestId("provider-keys")).toContainText("你自己的 API 密钥");
  await expectNoHorizontalScroll(page);
  await snap(page, "settings-providers-zh", testInfo);
  expect(problems).toEqual([]);
});

test("set a project's budget in its settings and see what it leaves", async ({ page, request }, testInfo) => {
  const problems = watchConsole(page);
  const email = uniqueEmail("budget");
  const token = await apiAccount(request, email);
  const project = await apiProject(request, token, {
    title: "The budget",
    story: "A baker wakes before dawn. She bakes bread for the village. The children come to buy it.",
    auto: false,
  });
  await waitForProject(request, token, project.id, (p) => p.status !== "running" && p.shots.length > 0);
  await signInInUi(page, email, PASSWORD);
  await page.goto(`/projects/${project.id}`);

  // The offline providers cost nothing, and the studio says so.
  const cost = page.getByTestId("render-cost");
  await expect(cost).toHaveAttribute("data-state", "free");
  await expect(cost.getByTestId("cost-free")).toHaveText("Free: offline providers");
  await expect(cost.getByTestId("cost-remaining")).toHaveCount(0);

  await page.getByTestId("project-settings").click();
  const budget = page.getByTestId("settings-budget");
  await expect(budget).toBeVisible();
  await expect(budget).toHaveValue("");
  await budget.fill("2.5");
  // The provider routes are under Advanced, following the account until set.
  await page.getByRole("button", { name: /Advanced: AI providers/ }).click();
  await expect(page.getByTestId("project-route-routing")).toContainText("Your account: sketch");
  await saveSettings(page, project.id);

  // Saved on the server, and the render panel shows what the budget leaves.
  const read = await request.get(`/api/v1/projects/${project.id}`, { headers: { Authorization: `Bearer ${await apiToken(request, email, PASSWORD)}` } });
  expect(((await read.json()) as { budget: number | null }).budget).toBe(2.5);
  await expect(cost.getByTestId("cost-remaining")).toContainText("$2.50");
  await expect(cost).toContainText("of this project's budget of $2.50");
  await snap(page, "studio-cost", testInfo);

  // Reopened, the drawer shows it; cleared, there is no limit again.
  await page.getByTestId("project-settings").click();
  await expect(page.getByTestId("settings-budget")).toHaveValue("2.5");
  await expectAccessible(page);
  await snap(page, "studio-settings-budget", testInfo);
  await page.getByTestId("settings-budget").fill("");
  await saveSettings(page, project.id);
  await expect(cost.getByTestId("cost-remaining")).toHaveCount(0);
  expect(problems).toEqual([]);
});

/** Saves the project's settings drawer; a failed save says what the server answered. */
async function saveSettings(page: Page, projectId: string): Promise<void> {
  const answered = page.waitForResponse(
    (r) => r.request().method() === "PATCH" && r.url().endsWith(`/api/v1/projects/${projectId}`),
    { timeout: 15_000 },
  );
  await page.getByTestId("settings-save").click();
  const response = await answered;
  expect(response.status(), `PATCH answered: ${await response.text()}`).toBe(200);
  await expect(page.getByText("Settings saved.")).toBeVisible();
}

test("the admin checks the providers", async ({ page }, testInfo) => {
  const problems = watchConsole(page);
  await signInInUi(page, ADMIN.email, ADMIN.password);
  await page.goto("/admin?tab=status");
  const table = page.getByTestId("admin-providers");
  await expect(table).toBeVisible();
  const sketch = table.locator('tr[data-row-key="image/sketch"]');
  await expect(sketch).toContainText("In route");
  await expect(sketch.getByTestId("admin-provider-circuit")).toHaveAttribute("data-circuit", "closed");
  await page.getByTestId("admin-providers-check").click();
  await expect(sketch.getByTestId("admin-provider-health")).toHaveAttribute("data-ok", "true");
  await expect(page.getByTestId("admin-providers-checked")).toContainText("Checked");
  // The button leaves its loading look and the pointer's hover before axe reads its contrast.
  const check = page.getByTestId("admin-providers-check");
  await expect(check).not.toHaveClass(/ant-btn-loading/);
  await page.mouse.move(0, 0);
  await check.blur();
  await page.waitForFunction(
    (el) => (el as HTMLElement).getAnimations({ subtree: true }).every((a) => a.playState !== "running"),
    await check.elementHandle(),
  );
  await expectAccessible(page);
  await snap(page, "admin-providers", testInfo);
  expect(problems).toEqual([]);
});
