/** A story from a document, in the browser: drop an EPUB on the new-project page, see its
 * chapters, choose chapter 2 and make the project of it; a file that is not a document is
 * refused in plain words beside the drop zone (in Chinese, at phone width). The EPUB is built
 * here: a zip of its mimetype, META-INF/container.xml, an OPF package and two XHTML chapters. */
import { expect, test, type Page } from "@playwright/test";
import zlib from "node:zlib";
import {
  apiAccount,
  expectAccessible,
  expectNoHorizontalScroll,
  signInInUi,
  snap,
  uniqueEmail,
  watchConsole,
} from "./support";

const CHAPTER_ONE =
  "Mara keeps the lighthouse on the northern cliff. Every evening she climbs the spiral stairs " +
  "and polishes the great lens until it shines like the moon.";
const CHAPTER_TWO =
  "One stormy night a small fishing boat drifts toward the rocks. Mara lights the lamp and " +
  "rings the bell, and at dawn the fisherman climbs the stairs to thank her.";

/** A zip of `files`, stored (not compressed), as EPUB readers expect the mimetype to be. */
function zip(files: [string, string][]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, text] of files) {
    const data = Buffer.from(text, "utf8");
    const nameBytes = Buffer.from(name, "utf8");
    const crc = zlib.crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(0, 8); // stored
    local.writeUInt32LE(0, 10); // time and date
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(0, 10);
    central.writeUInt32LE(0, 12);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

function xhtml(title: string, text: string): string {
  return `<?xml version="1.0" encoding="utf-8"?>
<html xmlns="http://www.w3.org/1999/xhtml"><head><title>${title}</title></head>
<body><h1>${title}</h1><p>${text}</p></body></html>`;
}

function keeperEpub(): Buffer {
  return zip([
    ["mimetype", "application/epub+zip"],
    [
      "META-INF/container.xml",
      `<?xml version="1.0"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
  <rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles>
</container>`,
    ],
    [
      "OEBPS/content.opf",
      `<?xml version="1.0" encoding="utf-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id">
  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
    <dc:identifier id="id">urn:uuid:2f1c6a52-8d1e-4f0b-9a57-3c1e0b6c7d11</dc:identifier>
    <dc:title>The Lighthouse Keeper</dc:title>
    <dc:language>en</dc:language>
  </metadata>
  <manifest>
    <item id="c1" href="one.xhtml" media-type="application/xhtml+xml"/>
    <item id="c2" href="two.xhtml" media-type="application/xhtml+xml"/>
  </manifest>
  <spine><itemref idref="c1"/><itemref idref="c2"/></spine>
</package>`,
    ],
    ["OEBPS/one.xhtml", xhtml("The Lamp", CHAPTER_ONE)],
    ["OEBPS/two.xhtml", xhtml("The Storm", CHAPTER_TWO)],
  ]);
}

/** Drop `bytes` as a file named `name` on the page's drop zone, as a person's drag would. */
async function dropFile(page: Page, name: string, type: string, bytes: Buffer): Promise<void> {
  const zone = page.locator('[data-testid="document-source"] .ant-upload-btn');
  const transfer = await page.evaluateHandle(
    ({ name, type, data }) => {
      const raw = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([raw], name, { type }));
      return dt;
    },
    { name, type, data: bytes.toString("base64") },
  );
  await zone.dispatchEvent("dragenter", { dataTransfer: transfer });
  await zone.dispatchEvent("dragover", { dataTransfer: transfer });
  await zone.dispatchEvent("drop", { dataTransfer: transfer });
}

test("make a project from chapter 2 of a dropped EPUB", async ({ page, request }, testInfo) => {
  const problems = watchConsole(page);
  const email = uniqueEmail("documents");
  const token = await apiAccount(request, email);
  await signInInUi(page, email);
  await page.goto("/projects/new");
  await expect(page.getByTestId("story-input")).toBeVisible();

  await dropFile(page, "keeper.epub", "application/epub+zip", keeperEpub());
  const picker = page.getByTestId("document-picker");
  await expect(picker.getByTestId("document-title")).toHaveText("The Lighthouse Keeper");
  await expect(picker).toContainText("keeper.epub · EPUB");
  // The story box gives way to the document; the chapters are listed with their openings.
  await expect(page.getByTestId("story-input")).toBeHidden();
  const chapters = picker.getByTestId("document-chapter");
  await expect(chapters).toHaveCount(2);
  await expect(chapters.nth(0)).toContainText("The Lamp");
  await expect(chapters.nth(1)).toContainText("The Storm");
  await expect(chapters.nth(1)).toContainText("One stormy night a small fishing boat");
  // Small enough to use whole: chosen at first.
  await expect(picker.getByRole("checkbox", { name: /the whole document/i })).toBeChecked();
  await expect(page.getByTestId("title-input")).toHaveValue("The Lighthouse Keeper");

  // Chapter 2 alone: untick chapter 1, by keyboard.
  await picker.getByRole("checkbox", { name: /chapter 1/i }).focus();
  await page.keyboard.press("Space");
  await expect(picker.getByRole("checkbox", { name: /chapter 1/i })).not.toBeChecked();
  await expect(picker.getByRole("checkbox", { name: /chapter 2/i })).toBeChecked();
  await expect(picker.getByTestId("document-choice")).toHaveAttribute("data-chapter", "2");
  await expect(page.getByTestId("title-input")).toHaveValue("The Lighthouse Keeper: The Storm");
  await page.locator('[data-testid="style-option"][data-style="watercolor"]').click();
  await expectAccessible(page);
  await snap(page, "new-project-document", testInfo);

  await page.getByTestId("storyboard-only").click();
  // The server reads the document again and creates the project: allow a busy machine time.
  await expect(page).toHaveURL(/\/projects\/(?!new$)[\w-]+$/, { timeout: 60_000 });
  const id = new URL(page.url()).pathname.split("/").pop()!;
  const answer = await request.get(`/api/v1/projects/${id}`, { headers: { Authorization: `Bearer ${token}` } });
  expect(answer.ok(), await answer.text()).toBeTruthy();
  const project = (await answer.json()) as { story: string; title: string; style: string; auto: boolean };
  expect(project.story).toContain(CHAPTER_TWO);
  expect(project.story).toContain("The Storm");
  expect(project.story).not.toContain("Mara keeps the lighthouse");
  expect(project.title).toBe("The Lighthouse Keeper: The Storm");
  expect(project.style).toBe("watercolor");
  expect(project.auto).toBe(false);
  expect(problems).toEqual([]);
});

test.describe("phone (390 px), in Chinese", () => {
  test.use({ viewport: { width: 390, height: 844 } });

  test("a file that is not a document is refused beside the drop zone; typing still works", async ({ page, request }, testInfo) => {
    const problems = watchConsole(page);
    const email = uniqueEmail("documents-phone");
    await apiAccount(request, email);
    await signInInUi(page, email);
    await page.evaluate(() => localStorage.setItem("storyreel.lang", "zh"));
    await page.goto("/projects/new");
    await expect(page.getByTestId("story-input")).toBeVisible();

    // Picked (not dropped): a PNG under a document's name.
    const png = Buffer.from(
      "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
      "base64",
    );
    await page.locator('[data-testid="document-source"] input[type="file"]').setInputFiles({ name: "photo.epub", mimeType: "application/epub+zip", buffer: png });
    const error = page.getByTestId("document-error");
    await expect(error).toBeVisible();
    await expect(error).toHaveAttribute("role", "alert");
    await expect(error).toContainText("storyreel 读不了 photo.epub");
    await expect(error).toContainText("详细说明：");
    await expectNoHorizontalScroll(page);

    // The chapters fit at phone width too.
    await dropFile(page, "keeper.epub", "application/epub+zip", keeperEpub());
    await expect(page.getByTestId("document-picker")).toBeVisible();
    await expect(error).toBeHidden();
    await expectNoHorizontalScroll(page);
    await expectAccessible(page);
    await snap(page, "new-project-document-zh", testInfo);

    // Back to typing: the story box returns.
    await page.getByTestId("document-remove").click();
    await expect(page.getByTestId("story-input")).toBeVisible();
    await page.getByTestId("story-input").fill("小猫在雨里找到了一把红伞。它把伞撑开，为一只迷路的小鸭挡雨。");
    await expect(page.getByTestId("title-input")).toHaveValue("小猫在雨里找到了一把红伞");
    // The browser logs the refused request (415) itself; nothing else may go wrong.
    expect(problems.filter((p) => !/status of 415/.test(p))).toEqual([]);
  });
});
