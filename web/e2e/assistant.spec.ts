/** Start from an idea, in the browser: tell the assistant an idea, see its reply and the brief
 * it built (genre, the lead), refine it ("make it 30 seconds"), see that writing the script
 * needs an LLM here (the button is disabled and says which settings), give your own script,
 * and make the video of it: the new project's studio page opens. */
import { expect, test, type Page } from "@playwright/test";
import { apiAccount, expectAccessible, expectNoHorizontalScroll, signInInUi, snap, uniqueEmail, watchConsole } from "./support";

const IDEA = "a 60-second fable about a brave little fox who is afraid of the dark, for children";
const SCRIPT =
  "Pip the little fox is brave by day but afraid of the dark. One night his baby sister wanders into the black woods. " +
  "Pip takes a deep breath, follows the fireflies and carries her safely home under the stars.";

/** Sends `text` from the message box and waits for the server's answer. */
async function say(page: Page, text: string, path: RegExp): Promise<void> {
  const answered = page.waitForResponse((r) => r.request().method() === "POST" && path.test(new URL(r.url()).pathname), { timeout: 30_000 });
  await page.getByRole("textbox", { name: "Your message" }).fill(text);
  await page.getByTestId("assistant-send").click();
  const response = await answered;
  expect(response.ok(), `POST answered: ${await response.text()}`).toBeTruthy();
}

test("from an idea to a brief, your own script and a video", async ({ page, request }, testInfo) => {
  const problems = watchConsole(page);
  const email = uniqueEmail("assistant");
  await apiAccount(request, email);
  await signInInUi(page, email);

  // The way in: the new-project page's "Start from an idea".
  await page.goto("/projects/new");
  await page.getByTestId("start-from-idea").click();
  await expect(page).toHaveURL(/\/assistant$/);
  await expect(page.getByRole("heading", { level: 1, name: "Start from an idea" })).toBeVisible();
  await expect(page.getByTestId("assistant-example")).toHaveCount(2);

  await say(page, IDEA, /\/api\/v1\/assistant\/conversations$/);
  await expect(page).toHaveURL(/\/assistant\/[\w-]+$/);
  const log = page.getByTestId("assistant-log");
  await expect(log.getByTestId("turn")).toHaveCount(2);
  await expect(log.getByTestId("turn").nth(1)).toContainText(/fairy tale/i);
  const brief = page.getByTestId("assistant-brief");
  await expect(brief.getByTestId("brief-genre")).toContainText(/fairy tale/i);
  const lead = brief.locator('[data-testid="brief-character"][data-role="lead"]');
  await expect(lead).toContainText("fox");
  await expect(brief.getByTestId("brief-length")).toHaveAttribute("data-seconds", "60");
  await expect(brief.getByTestId("brief-beats").locator("li").first()).toBeVisible();

  await say(page, "make it 30 seconds", /\/api\/v1\/assistant\/conversations\/[\w-]+\/messages$/);
  await expect(log.getByTestId("turn")).toHaveCount(4);
  await expect(log.getByTestId("turn-change").first()).toContainText(/30 seconds/);
  await expect(brief.getByTestId("brief-length")).toHaveAttribute("data-seconds", "30");

  // Offline: no LLM, so the assistant cannot write the script, and says which settings.
  const write = page.getByTestId("write-script");
  await expect(write).toBeDisabled();
  await expect(page.getByTestId("write-unavailable")).toContainText("STORYREEL_LLM");

  await expectAccessible(page);
  await snap(page, "assistant", testInfo);

  // Your own script instead.
  await page.getByTestId("script-input").fill(SCRIPT);
  const saved = page.waitForResponse((r) => r.request().method() === "PUT" && /\/script$/.test(new URL(r.url()).pathname));
  await page.getByTestId("save-script").click();
  const savedResponse = await saved;
  expect(savedResponse.status(), await savedResponse.text()).toBe(200);
  await expect(page.getByText("Script saved")).toBeVisible();

  const made = page.waitForResponse((r) => r.request().method() === "POST" && /\/project$/.test(new URL(r.url()).pathname), { timeout: 60_000 });
  await page.getByTestId("make-video").click();
  const madeResponse = await made;
  expect(madeResponse.status(), await madeResponse.text()).toBe(201);
  const project = (await madeResponse.json()) as { id: string };
  await expect(page).toHaveURL(new RegExp(`/projects/${project.id}$`));
  await expect(page.getByTestId("project-status")).toBeVisible();
  expect(problems).toEqual([]);
});

test.describe("phone (390 px)", () => {
  test.use({ viewport: { width: 390, height: 844 } });

  test("the conversation and the brief stack on a phone", async ({ page, request }, testInfo) => {
    const problems = watchConsole(page);
    const email = uniqueEmail("assistant-phone");
    await apiAccount(request, email);
    await signInInUi(page, email);
    await page.goto("/assistant");
    await say(page, IDEA, /\/api\/v1\/assistant\/conversations$/);
    await expect(page.getByTestId("assistant-brief").getByTestId("brief-genre")).toContainText(/fairy tale/i);
    await expect(page.getByTestId("write-script")).toBeDisabled();
    await expectNoHorizontalScroll(page);
    await expectAccessible(page);
    await snap(page, "assistant", testInfo);
    // Your past conversations: this one is listed and can be reopened.
    const listed = page.waitForResponse((r) => r.request().method() === "GET" && /\/api\/v1\/assistant\/conversations$/.test(new URL(r.url()).pathname));
    await page.getByTestId("assistant-history-open").click();
    await listed;
    await expect(page.getByTestId("history-item")).toHaveCount(1);
    await expect(page.getByTestId("history-open")).toContainText("fox");
    await page.getByTestId("history-open").click();
    await expect(page.getByTestId("history-item")).toBeHidden();
    expect(problems).toEqual([]);
  });
});
