/** Every main page, on a 1440-px desktop and a 390-px phone: it renders, has no serious
 * accessibility problems, does not scroll sideways on the phone, and is photographed for
 * docs/studio.md. */
import { expect, test, type Page } from "@playwright/test";
import {
  ADMIN,
  apiAccount,
  apiProject,
  expectAccessible,
  expectNoHorizontalScroll,
  snap,
  uniqueEmail,
  waitForProject,
  watchConsole,
} from "./support";

const VIEWPORTS = [
  { name: "desktop", width: 1440, height: 900 },
  { name: "phone", width: 390, height: 844 },
];

async function signInWithToken(page: Page, email: string, password: string): Promise<void> {
  await page.goto("/login");
  await page.getByLabel(/^email$/i).fill(email);
  await page.getByLabel(/^password$/i).fill(password);
  await page.getByRole("button", { name: /^sign in$/i }).click();
  await expect(page).toHaveURL(/\/projects$/);
}

for (const viewport of VIEWPORTS) {
  test.describe(`${viewport.name} (${viewport.width} px)`, () => {
    test.use({ viewport: { width: viewport.width, height: viewport.height } });

    test("sign-in page", async ({ page }, testInfo) => {
      const problems = watchConsole(page);
      await page.goto("/login");
      await expect(page.getByRole("heading", { name: /sign in/i })).toBeVisible();
      await expectNoHorizontalScroll(page);
      await expectAccessible(page);
      await snap(page, "sign-in", testInfo);
      expect(problems).toEqual([]);
    });

    test("projects, new project and studio pages", async ({ page, request }, testInfo) => {
      const problems = watchConsole(page);
      const email = uniqueEmail(`pages-${viewport.name}`);
      const token = await apiAccount(request, email);
      const project = await apiProject(request, token, {
        title: "The lighthouse",
        story:
          "Mara keeps the lighthouse on the northern cliff. One stormy night a small boat drifts " +
          "toward the rocks. Mara lights the great lamp and rings the bell. At dawn the fisherman " +
          "climbs the stairs to thank her, and they share tea as the sea grows calm.",
        auto: false,
      });
      await waitForProject(request, token, project.id, (p) => p.status !== "running" && p.shots.length > 0);
      await signInWithToken(page, email, "a long enough password");

      await expect(page.getByTestId("project-card").first()).toBeVisible();
      await expectNoHorizontalScroll(page);
      await expectAccessible(page);
      await snap(page, "projects", testInfo);

      await page.goto("/projects/new");
      await expect(page.getByTestId("story-input")).toBeVisible();
      await expectNoHorizontalScroll(page);
      await expectAccessible(page);
      await snap(page, "new-project", testInfo);

      await page.goto(`/projects/${project.id}`);
      await expect(page.getByTestId("shot-card").first()).toBeVisible();
      await expectNoHorizontalScroll(page);
      await expectAccessible(page);
      await snap(page, "studio-storyboard", testInfo);

      await page.goto("/settings");
      await expect(page.getByTestId("settings-tabs")).toBeVisible();
      await expectNoHorizontalScroll(page);
      await expectAccessible(page);
      await snap(page, "settings", testInfo);
      expect(problems).toEqual([]);
    });

    test("admin page", async ({ page }, testInfo) => {
      const problems = watchConsole(page);
      await signInWithToken(page, ADMIN.email, ADMIN.password);
      await page.goto("/admin");
      await expect(page.getByTestId("admin-users-table")).toBeVisible();
      await expect(page.getByTestId("admin-users-table")).toContainText(ADMIN.email);
      await expectNoHorizontalScroll(page);
      await expectAccessible(page);
      await snap(page, "admin", testInfo);

      await page.goto("/admin?tab=status");
      await expect(page.getByTestId("admin-status")).toBeVisible();
      await expectNoHorizontalScroll(page);
      await expectAccessible(page);
      await snap(page, "admin-status", testInfo);
      expect(problems).toEqual([]);
    });
  });
}
