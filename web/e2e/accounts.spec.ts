/** Accounts and languages: one creator's projects are invisible to another; the UI speaks
 * Chinese or English on request. */
import { expect, test } from "@playwright/test";
import { apiAccount, apiProject, PASSWORD, signInInUi, uniqueEmail, watchConsole } from "./support";

test("a second user cannot see the first user's project", async ({ page, request }) => {
  const problems = watchConsole(page);
  const ownerToken = await apiAccount(request, uniqueEmail("owner"));
  const secret = await apiProject(request, ownerToken, {
    title: "Owner's private story",
    story: "A lighthouse keeper finds a letter in a bottle. She answers it.",
    auto: false,
  });

  const other = uniqueEmail("other");
  await apiAccount(request, other);
  await signInInUi(page, other, PASSWORD);
  await expect(page.getByTestId("new-project").first()).toBeVisible();
  await expect(page.getByText("Owner's private story")).toHaveCount(0);

  // Even the direct link shows the server's refusal, not the project.
  await page.goto(`/projects/${secret.id}`);
  await expect(page.getByRole("alert").or(page.getByText(/not found|no project/i)).first()).toBeVisible();
  await expect(page.getByText("Owner's private story")).toHaveCount(0);
  // The failed load is an expected 404 from the API; nothing else may log an error.
  expect(problems.filter((p) => !/404|Not Found/i.test(p))).toEqual([]);
});

test("switching the language changes the UI and is remembered", async ({ page, request }) => {
  const problems = watchConsole(page);
  const email = uniqueEmail("lang");
  await apiAccount(request, email);
  await signInInUi(page, email, PASSWORD);
  await expect(page.getByRole("link", { name: "Projects" }).first()).toBeVisible();

  await page.getByTestId("language-switch").click();
  await page.getByRole("option", { name: "简体中文" }).click();
  await expect(page.getByRole("link", { name: "项目" }).first()).toBeVisible();
  await expect(page.locator("html")).toHaveAttribute("lang", "zh-CN");

  await page.reload();
  await expect(page.getByRole("link", { name: "项目" }).first()).toBeVisible();
  await page.getByTestId("language-switch").click();
  await page.getByRole("option", { name: "English" }).click();
  await expect(page.getByRole("link", { name: "Projects" }).first()).toBeVisible();
  expect(problems).toEqual([]);
});

test("a Chinese browser gets the Chinese studio on its first visit", async ({ browser }) => {
  const context = await browser.newContext({ locale: "zh-CN" });
  const page = await context.newPage();
  await page.goto("/login");
  await expect(page.getByRole("heading", { name: "登录" })).toBeVisible();
  await context.close();
});

test("a creator renames themselves in the settings", async ({ page, request }) => {
  const problems = watchConsole(page);
  const email = uniqueEmail("rename");
  await apiAccount(request, email);
  await signInInUi(page, email, PASSWORD);
  await page.goto("/settings");
  const name = page.getByTestId("display-name");
  await expect(name).toBeVisible();
  await name.getByRole("button", { name: "Change your display name" }).click();
  const box = page.getByRole("textbox").first();
  await box.fill("林晓 the keeper");
  await box.press("Enter");
  await expect(page.getByText("Display name saved")).toBeVisible();
  await page.reload();
  await expect(page.getByTestId("display-name")).toContainText("林晓 the keeper");
  expect(problems).toEqual([]);
});
