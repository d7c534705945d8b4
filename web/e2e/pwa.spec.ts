/** The studio as an installable app, in Chromium against the real server: a valid manifest with
 * real icons, Chromium's installability check (what `beforeinstallprompt` waits for), a service
 * worker that serves the app shell offline and keeps only the public catalogs, the offline
 * message and the recovery, the update prompt after a new build is deployed, and the touch
 * layout at phone width (drag handles, bottom actions, 44-px targets, Web Share). */
import { chromium, expect, test, type BrowserContext, type Page } from "@playwright/test";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  apiAccount,
  apiProject,
  apiToken,
  expectAccessible,
  expectNoHorizontalScroll,
  PASSWORD,
  SCREENSHOTS,
  signInInUi,
  snap,
  uniqueEmail,
  waitForProject,
  watchConsole,
} from "./support";

const STORY =
  "Mara keeps the lighthouse on the northern cliff. One stormy night a small boat drifts toward " +
  "the rocks. Mara lights the great lamp and rings the bell. At dawn the fisherman climbs the " +
  "stairs to thank her, and they share tea as the sea grows calm.";

/** Width and height from a PNG's IHDR chunk. */
function pngSize(bytes: Buffer): { width: number; height: number } {
  expect(bytes.subarray(0, 8).toString("latin1")).toBe("\x89PNG\r\n\x1a\n");
  expect(bytes.subarray(12, 16).toString("latin1")).toBe("IHDR");
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** Wait until a service worker is active and controls the page (the first visit installs it; a
 * worker in prompt mode takes over from the next load). */
async function controlledBySw(page: Page): Promise<string> {
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
  await page.reload();
  await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller?.scriptURL ?? null)).toMatch(/\/sw\.js$/);
  return page.evaluate(() => navigator.serviceWorker.controller!.scriptURL);
}

/** Every URL in the page's Cache Storage, by cache. */
async function cachedUrls(page: Page): Promise<Record<string, string[]>> {
  return page.evaluate(async () => {
    const out: Record<string, string[]> = {};
    for (const name of await caches.keys()) {
      const cache = await caches.open(name);
      out[name] = (await cache.keys()).map((r) => new URL(r.url).pathname + new URL(r.url).search);
    }
    return out;
  });
}

test.describe("installable app", () => {
  test("the manifest is valid, its icons are real PNGs, and Chromium finds the studio installable", async ({ page, request }) => {
    const problems = watchConsole(page);
    await page.goto("/login");
    const href = await page.locator('link[rel="manifest"]').getAttribute("href");
    expect(href).toBe("/manifest.webmanifest");
    await expect(page.locator('meta[name="theme-color"]')).toHaveAttribute("content", "#5b3df5");

    const response = await request.get(href!);
    expect(response.status()).toBe(200);
    expect(response.headers()["content-type"]).toBe("application/manifest+json");
    expect(response.headers()["cache-control"]).toBe("no-cache");
    const manifest = (await response.json()) as {
      name: string;
      short_name: string;
      start_url: string;
      scope: string;
      display: string;
      theme_color: string;
      background_color: string;
      icons: { src: string; sizes: string; type: string; purpose?: string }[];
    };
    expect(manifest).toMatchObject({
      name: "storyreel studio",
      short_name: "storyreel",
      start_url: "/",
      scope: "/",
      display: "standalone",
      theme_color: "#5b3df5",
    });
    expect(manifest.background_color).toMatch(/^#[0-9a-f]{6}$/i);
    const wanted = [
      { sizes: "192x192", purpose: "any" },
      { sizes: "512x512", purpose: "any" },
      { sizes: "512x512", purpose: "maskable" },
    ];
    for (const { sizes, purpose } of wanted) {
      const icon = manifest.icons.find((i) => i.sizes === sizes && (i.purpose ?? "any") === purpose);
      expect(icon, `${sizes} ${purpose} icon`).toBeTruthy();
      const file = await request.get(`/${icon!.src}`);
      expect(file.status(), icon!.src).toBe(200);
      expect(file.headers()["content-type"]).toBe("image/png");
      const { width, height } = pngSize(await file.body());
      expect(`${width}x${height}`, icon!.src).toBe(sizes);
    }
    const apple = await request.get((await page.locator('link[rel="apple-touch-icon"]').getAttribute("href"))!);
    expect(pngSize(await apple.body())).toEqual({ width: 180, height: 180 });

    // The worker revalidates on every load, so a new version is noticed.
    const sw = await request.get("/sw.js");
    expect(sw.headers()["content-type"]).toMatch(/^text\/javascript/);
    expect(sw.headers()["cache-control"]).toBe("no-cache");

    expect(problems).toEqual([]);

    // Chromium never offers to install from an incognito profile, which every test context is;
    // this check runs in a profile of its own.
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), "storyreel-pwa-profile-"));
    const { launchOptions, baseURL } = test.info().project.use;
    const persistent = await chromium.launchPersistentContext(profile, { ...launchOptions, baseURL });
    try {
      await persistent.addInitScript(() =>
        window.addEventListener("beforeinstallprompt", () => ((window as unknown as { __installable: boolean }).__installable = true)),
      );
      const installed = persistent.pages()[0] ?? (await persistent.newPage());
      await installed.goto("/login");
      await controlledBySw(installed);
      const cdp = await persistent.newCDPSession(installed);
      const appManifest = (await cdp.send("Page.getAppManifest")) as { errors: { message: string }[]; url: string };
      expect(appManifest.errors).toEqual([]);
      expect(appManifest.url).toMatch(/\/manifest\.webmanifest$/);
      // Empty: the manifest, icons and worker meet every criterion for the install prompt.
      const { installabilityErrors } = await cdp.send("Page.getInstallabilityErrors");
      expect(installabilityErrors).toEqual([]);
      // And the page is told so, as it would be before the browser shows its install button.
      await expect.poll(() => installed.evaluate(() => (window as unknown as { __installable?: boolean }).__installable ?? false)).toBe(true);
    } finally {
      await persistent.close();
      fs.rmSync(profile, { recursive: true, force: true });
    }
  });

  test("offline, the worker serves the shell and the studio says the server cannot be reached, then recovers", async ({ page, context, request }, testInfo) => {
    const problems = watchConsole(page);
    const email = uniqueEmail("pwa-offline");
    const token = await apiAccount(request, email);
    const project = await apiProject(request, token, { title: "Offline lighthouse", story: STORY, auto: false });
    await signInInUi(page, email);
    await controlledBySw(page);

    // The new-project page reads the catalogs; the worker keeps them, and nothing else of the API.
    await page.goto("/projects/new");
    await expect(page.locator('[data-testid="style-option"]').first()).toBeVisible();
    await expect
      .poll(async () => (await cachedUrls(page))["storyreel-catalogs"] ?? [])
      .toEqual(expect.arrayContaining(["/api/v1/styles", "/api/v1/music-moods"]));
    const cached = Object.values(await cachedUrls(page)).flat();
    const apiCached = cached.filter((u) => u.startsWith("/api/"));
    expect(apiCached.filter((u) => !/^\/api\/v1\/(styles|voices|music-moods)(\?|$)/.test(u)), "private API data in Cache Storage").toEqual([]);
    expect(cached.filter((u) => u.startsWith("/index.html")), "the app shell, precached").toHaveLength(1);

    await page.goto("/projects");
    await expect(page.getByTestId("project-card").first()).toBeVisible();

    await context.setOffline(true);
    const reloaded = await page.reload();
    expect(reloaded?.fromServiceWorker(), "the page came from the service worker").toBe(true);
    // The shell: the app's header and navigation, drawn without the network.
    await expect(page.getByRole("link", { name: "storyreel" })).toBeVisible();
    await expect(page.getByRole("link", { name: "Projects" })).toBeVisible();
    const banner = page.getByTestId("offline-banner");
    await expect(banner).toBeVisible();
    await expect(banner).toHaveAttribute("data-reason", "browser");
    await expect(banner).toContainText("Cannot reach the storyreel server");
    await expect(banner).toContainText("tries again every few seconds");
    await expect(page.getByTestId("offline-retry")).toBeVisible();
    await snap(page, "studio-offline", testInfo);

    // The new-project page opens offline too, its style gallery from the kept catalog.
    await page.goto("/projects/new");
    await expect(page.locator('[data-testid="style-option"]').first()).toBeVisible();

    // Pressing Retry while still offline keeps the message up.
    await page.getByTestId("offline-retry").click();
    await expect(banner).toBeVisible();

    await context.setOffline(false);
    await expect(banner).toBeHidden();
    await page.goto(`/projects/${project.id}`);
    await expect(page.getByTestId("shot-card").first()).toBeVisible();
    // The browser logs each request that offline emulation fails (the health checks, the live
    // socket); anything else is the studio's own error.
    expect(problems.filter((p) => !/net::ERR_INTERNET_DISCONNECTED|WebSocket connection to .* failed/.test(p))).toEqual([]);
  });

  test("a new build deployed on the server is offered, and Reload switches to it", async ({ page }) => {
    test.setTimeout(300_000);
    const served = process.env.E2E_STUDIO_DIR!;
    expect(fs.existsSync(path.join(served, "sw.js")), `the served build at ${served}`).toBe(true);
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "storyreel-next-build-"));
    const next = path.join(work, "next");
    const backup = path.join(work, "served");
    const version = `e2e-next-${Date.now().toString(36)}`;
    try {
      // The next version: the same sources, built with another version string (which changes
      // index.html, so the precache list and so sw.js).
      execFileSync("npx", ["vite", "build", "--outDir", next, "--emptyOutDir", "--logLevel", "warn"], {
        env: { ...process.env, STORYREEL_BUILD: version },
        stdio: "inherit",
        timeout: 240_000,
      });
      fs.cpSync(served, backup, { recursive: true });

      await page.goto("/login");
      await controlledBySw(page);
      const before = await page.locator('meta[name="storyreel-version"]').getAttribute("content");
      expect(before).not.toBe(version);
      await expect(page.getByTestId("update-prompt")).toHaveCount(0);

      // Deploy: the new files over the old, as a server's release would.
      fs.cpSync(next, served, { recursive: true });
      await page.evaluate(() => navigator.serviceWorker.getRegistration().then((r) => r!.update()));

      const prompt = page.getByTestId("update-prompt");
      await expect(prompt).toBeVisible({ timeout: 60_000 });
      await expect(prompt).toContainText("A new version of the studio is available");
      // Still the old version until the person says so.
      await expect(page.locator('meta[name="storyreel-version"]')).toHaveAttribute("content", before!);
      await prompt.getByTestId("update-reload").click();
      await expect(page.locator('meta[name="storyreel-version"]')).toHaveAttribute("content", version, { timeout: 30_000 });
      await expect(page.getByRole("heading", { name: /sign in/i })).toBeVisible();
      await expect(page.getByTestId("update-prompt")).toHaveCount(0);
    } finally {
      // The rest of the run is served the build it started with.
      if (fs.existsSync(backup)) fs.cpSync(backup, served, { recursive: true });
      fs.rmSync(work, { recursive: true, force: true });
    }
  });
});

test.describe("phone (390 px), touch", () => {
  test.use({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });

  /** A finger pressing `from`, moving to `to` in small steps, and lifting. */
  async function touchDrag(context: BrowserContext, page: Page, from: { x: number; y: number }, to: { x: number; y: number }) {
    const cdp = await context.newCDPSession(page);
    const point = (p: { x: number; y: number }) => [{ x: Math.round(p.x), y: Math.round(p.y), id: 1 }];
    await cdp.send("Input.dispatchTouchEvent", { type: "touchStart", touchPoints: point(from) });
    await page.waitForTimeout(300); // longer than the touch sensor's press delay
    const steps = 20;
    for (let i = 1; i <= steps; i++) {
      await cdp.send("Input.dispatchTouchEvent", {
        type: "touchMove",
        touchPoints: point({ x: from.x + ((to.x - from.x) * i) / steps, y: from.y + ((to.y - from.y) * i) / steps }),
      });
      await page.waitForTimeout(30);
    }
    await page.waitForTimeout(200);
    await cdp.send("Input.dispatchTouchEvent", { type: "touchEnd", touchPoints: [] });
  }

  test("a finished project: its actions at the bottom, Share, 44-px targets and reordering by drag handle", async ({ page, context, request }, testInfo) => {
    test.setTimeout(360_000);
    const problems = watchConsole(page);
    // The browser's share sheet, recorded (Debian's Chromium has no Web Share on Linux).
    await context.addInitScript(() => {
      const shared: ShareData[] = [];
      (window as unknown as { __shared: ShareData[] }).__shared = shared;
      Object.defineProperty(navigator, "share", { value: async (data: ShareData) => void shared.push(data), configurable: true });
    });
    const email = uniqueEmail("pwa-phone");
    const token = await apiAccount(request, email);
    const project = await apiProject(request, token, { title: "The lighthouse", story: STORY, auto: true });
    await waitForProject(request, token, project.id, (p) => p.status === "done", 240_000);
    await signInInUi(page, email);
    await page.goto(`/projects/${project.id}`);
    await expect(page.getByTestId("video-player")).toBeVisible();

    // The project's actions: a bar along the bottom of the screen.
    const bar = page.getByTestId("studio-bottom-actions");
    await expect(bar).toBeVisible();
    const box = (await bar.boundingBox())!;
    expect(Math.round(box.y + box.height)).toBe(844);
    expect(box.width).toBe(390);
    for (const id of ["project-settings", "project-more", "project-share"]) await expect(bar.getByTestId(id)).toBeVisible();
    await expectNoHorizontalScroll(page);

    // Every control of the studio and the app's header is at least 44 px each way.
    const small = await page.evaluate(() => {
      const controls = document.querySelectorAll<HTMLElement>(
        [".app-header", '[data-testid="studio"]']
          .flatMap((area) => ["button", "a[href]", ".ant-select", ".ant-segmented-item", "[role='button']", "[role='tab']", "audio"].map((c) => `${area} ${c}`))
          .join(", "),
      );
      const out: string[] = [];
      if (controls.length < 20) out.push(`only ${controls.length} controls found: the selector is wrong`);
      for (const el of controls) {
        const r = el.getBoundingClientRect();
        if (r.width === 0 && r.height === 0) continue; // not shown
        if (getComputedStyle(el).visibility === "hidden") continue;
        if (el.closest(".ant-select") && !el.classList.contains("ant-select")) continue; // inside a select
        if (r.width < 44 || r.height < 44) {
          const name = el.getAttribute("data-testid") ?? el.getAttribute("aria-label") ?? el.textContent?.trim().slice(0, 30) ?? el.tagName;
          out.push(`${name} ${Math.round(r.width)}×${Math.round(r.height)}`);
        }
      }
      return out;
    });
    expect(small, "controls smaller than 44×44 px").toEqual([]);

    // Share: the system's sheet gets the project's page.
    await bar.getByTestId("project-share").tap();
    await expect.poll(() => page.evaluate(() => (window as unknown as { __shared: ShareData[] }).__shared)).toEqual([
      { title: "The lighthouse", text: "“The lighthouse”, a video made with storyreel", url: page.url() },
    ]);
    await expectAccessible(page);
    // What the phone's screen shows (a full-page shot would draw the fixed bar mid-page).
    await page.evaluate(() => window.scrollTo(0, 0));
    const shot = path.join(SCREENSHOTS, "studio-touch-phone.png");
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: shot });
    await testInfo.attach("studio-touch", { path: shot, contentType: "image/png" });

    // Reorder: drag the second shot's handle up onto the first, with a finger.
    const cards = page.getByTestId("shot-card");
    expect(await cards.count()).toBeGreaterThan(1);
    const before = await cards.evaluateAll((els) => els.map((e) => e.getAttribute("data-shot-id")));
    const handle = cards.nth(1).getByTestId("shot-drag-handle");
    await handle.evaluate((el) => el.scrollIntoView({ block: "center" }));
    // Low on the screen (above the bottom bar), leaving the most room to drag it up.
    await page.evaluate((y) => window.scrollBy(0, y), (await handle.boundingBox())!.y - 700);
    const from = (await handle.boundingBox())!;
    const first = (await cards.nth(0).boundingBox())!;
    const second = (await cards.nth(1).boundingBox())!;
    // Past half-way to the first card's centre makes the second the closest to it.
    const lift = Math.min((second.y + second.height / 2 - (first.y + first.height / 2)) * 0.8, from.y - 10);
    await touchDrag(context, page, { x: from.x + from.width / 2, y: from.y + from.height / 2 }, { x: from.x + from.width / 2, y: from.y + from.height / 2 - lift });
    const expected = [before[1], before[0], ...before.slice(2)];
    await expect.poll(() => cards.evaluateAll((els) => els.map((e) => e.getAttribute("data-shot-id")))).toEqual(expected);
    // The server has the new order.
    await expect
      .poll(async () => {
        const r = await request.get(`/api/v1/projects/${project.id}`, { headers: { Authorization: `Bearer ${await apiToken(request, email, PASSWORD)}` } });
        return ((await r.json()) as { shots: { id: string }[] }).shots.map((s) => s.id);
      })
      .toEqual(expected);
    expect(problems).toEqual([]);
  });
});
