import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "../../api/client";
import { translate } from "../../i18n";
import {
  chapterField,
  chapterFits,
  documentProblem,
  fits,
  initialSelection,
  inspectProblem,
  isWhole,
  overLimit,
  selectionChars,
  selectionTitle,
  toggleChapter,
  toggleWhole,
  uploadForm,
  type DocumentInfo,
  type UploadFields,
} from "./documents";

/** A document as `POST /documents/inspect` answers it. */
function doc(sizes: number[], over: Partial<DocumentInfo> = {}): DocumentInfo {
  const chapters = sizes.map((characters, i) => ({
    number: i + 1,
    title: `Chapter ${i + 1}`,
    characters,
    preview: `The opening of chapter ${i + 1}`,
  }));
  const characters = sizes.reduce((a, b) => a + b, 0);
  return { kind: "epub", title: "The Keeper", characters, max_story_chars: 1000, fits_whole: characters <= 1000, chapters, ...over };
}

const refusal = (status: number, message: string, extra: { errors?: { field: string; message: string }[]; details?: Record<string, unknown> } = {}) =>
  new ApiError(status, { code: status, message, request_id: "r", errors: extra.errors ?? [], details: extra.details ?? null }, String(status));

describe("the chapter picker", () => {
  it("starts with the whole document when it fits, else the first chapter that does", () => {
    expect(initialSelection(doc([100, 200, 300]))).toEqual({ from: 1, to: 3 });
    expect(initialSelection(doc([600, 700, 300]))).toEqual({ from: 1, to: 1 });
    expect(initialSelection(doc([1500, 700]))).toEqual({ from: 2, to: 2 });
    expect(initialSelection(doc([1500, 1700]))).toBeNull();
  });

  it("keeps the choice one run of chapters", () => {
    // Ticking outside the run stretches it; the ends shrink it; one inside cuts it there.
    expect(toggleChapter(null, 3)).toEqual({ from: 3, to: 3 });
    expect(toggleChapter({ from: 3, to: 3 }, 5)).toEqual({ from: 3, to: 5 });
    expect(toggleChapter({ from: 3, to: 5 }, 1)).toEqual({ from: 1, to: 5 });
    expect(toggleChapter({ from: 1, to: 5 }, 1)).toEqual({ from: 2, to: 5 });
    expect(toggleChapter({ from: 2, to: 5 }, 5)).toEqual({ from: 2, to: 4 });
    expect(toggleChapter({ from: 2, to: 5 }, 3)).toEqual({ from: 2, to: 2 });
    expect(toggleChapter({ from: 4, to: 4 }, 4)).toBeNull();
  });

  it("ticks the whole document on and off", () => {
    const d = doc([100, 200, 300]);
    expect(toggleWhole(d, { from: 2, to: 2 })).toEqual({ from: 1, to: 3 });
    expect(toggleWhole(d, { from: 1, to: 3 })).toBeNull();
    expect(isWhole(d, { from: 1, to: 3 })).toBe(true);
    expect(isWhole(d, { from: 1, to: 2 })).toBe(false);
  });

  it("sends no chapter for the whole document, N for one, N-M for a run", () => {
    const d = doc([100, 200, 300]);
    expect(chapterField(d, { from: 1, to: 3 })).toBeNull();
    expect(chapterField(d, { from: 2, to: 2 })).toBe("2");
    expect(chapterField(d, { from: 2, to: 3 })).toBe("2-3");
  });

  it("counts a choice as the server does and says whether it fits", () => {
    const d = doc([400, 500, 300]);
    // Each chapter with its title line ("Chapter 2" and a blank line) and a blank line between.
    expect(selectionChars(d, { from: 2, to: 2 })).toBe(500 + 9 + 2);
    expect(selectionChars(d, { from: 2, to: 3 })).toBe(511 + 311 + 2);
    expect(fits(d, { from: 2, to: 3 })).toBe(true);
    expect(fits(d, { from: 1, to: 2 })).toBe(true);
    expect(fits(d, { from: 1, to: 3 })).toBe(false); // the whole of it: the server said no
    expect(fits(d, null)).toBe(false);
    // Condensed, any choice goes through: the server shortens it.
    expect(fits(d, { from: 1, to: 3 }, true)).toBe(true);
    expect(fits(d, null, true)).toBe(false);
    expect(overLimit(d, { from: 1, to: 3 })).toBe(true);
    expect(overLimit(d, { from: 2, to: 3 })).toBe(false);
    const big = doc([400, 1200, 100]);
    expect(chapterFits(big, 2)).toBe(false);
    expect(chapterFits(big, 2, true)).toBe(true);
    expect(chapterFits(big, 3)).toBe(true);
  });

  it("names the project after the document, or after the chapters chosen", () => {
    const d = doc([100, 200, 300]);
    expect(selectionTitle(d, { from: 1, to: 3 }, "keeper.epub", 200)).toBe("The Keeper");
    expect(selectionTitle(d, { from: 2, to: 2 }, "keeper.epub", 200)).toBe("The Keeper: Chapter 2");
    expect(selectionTitle(d, { from: 2, to: 3 }, "keeper.epub", 200)).toBe("The Keeper: Chapter 2 – Chapter 3");
    expect(selectionTitle({ ...d, title: null }, { from: 1, to: 3 }, "my novel.docx", 200)).toBe("my novel");
    expect(Array.from(selectionTitle(d, { from: 2, to: 2 }, "k.epub", 10))).toHaveLength(10);
  });
});

/** The page's options as it sends them. */
const OPTIONS: UploadFields = {
  title: null,
  style: "watercolor",
  aspect: "9:16",
  language: "auto",
  voice: "auto",
  voice_rate: 1.25,
  music: "auto",
  target_seconds: null,
  max_shots: 60,
  seed: 0,
  quality: "final",
  bilingual_subtitles: false,
  condense: false,
  auto: false,
};

describe("the upload's form", () => {
  it("carries the file, the chapter and the page's options, leaving nulls out", () => {
    const file = new File(["text"], "novel.epub", { type: "application/epub+zip" });
    const form = uploadForm(file, "2-3", OPTIONS);
    expect((form.get("file") as File).name).toBe("novel.epub");
    expect(form.get("chapter")).toBe("2-3");
    expect(form.get("style")).toBe("watercolor");
    expect(form.get("aspect")).toBe("9:16");
    expect(form.get("voice_rate")).toBe("1.25");
    expect(form.get("auto")).toBe("false");
    expect(form.has("title")).toBe(false);
    expect(form.has("target_seconds")).toBe(false);
    expect(uploadForm(file, null, OPTIONS).has("chapter")).toBe(false);
  });
});

describe("a refusal in plain words", () => {
  const en = (p: ReturnType<typeof documentProblem>) => (p ? translate("en", p.key, p.vars) : null);
  const zh = (p: ReturnType<typeof documentProblem>) => (p ? translate("zh", p.key, p.vars) : null);

  it("says what is wrong with the file, in English and Chinese, keeping the server's sentence", () => {
    const png = documentProblem(refusal(415, "photo.epub is a PNG image, not a document; send plain text (.txt)…"), "photo.epub");
    expect(en(png)).toContain("photo.epub is not a document storyreel can read");
    expect(zh(png)).toContain("storyreel 读不了 photo.epub");
    expect(png?.detail).toContain("is a PNG image");

    const big = documentProblem(refusal(413, "the upload is larger than the limit of 20.0 MB", { details: { limit_bytes: 20 * 1024 * 1024 } }), "big.pdf");
    expect(en(big)).toBe("big.pdf is larger than 20 MB. Send a smaller file, or only the chapter you want.");
    expect(zh(big)).toContain("超过了 20 MB");

    const long = documentProblem(refusal(413, "the story is 120,000 characters", { details: { limit_chars: 100000 } }), "n.epub");
    expect(long?.key).toBe("projects.doc.error.tooLong");
  });

  it("tells a scan, a locked file, a damaged one and an empty one apart", () => {
    const reason = (r: string) => documentProblem(refusal(422, "…", { details: { reason: r } }), "f.pdf")?.key;
    expect(reason("NoTextLayer")).toBe("projects.doc.error.scanned");
    expect(reason("EncryptedDocument")).toBe("projects.doc.error.locked");
    expect(reason("MalformedDocument")).toBe("projects.doc.error.damaged");
    expect(reason("UnsafeArchive")).toBe("projects.doc.error.unsafe");
    expect(reason("EmptyDocument")).toBe("projects.doc.error.empty");
    expect(reason("SomethingNew")).toBe("projects.doc.error.unreadable");
    expect(zh(documentProblem(refusal(422, "…", { details: { reason: "NoTextLayer" } }), "scan.pdf"))).toContain("像是扫描件");
  });

  it("points a refused chapter choice at the picker", () => {
    const message = "the document is 412,530 characters, more than a story's 100,000; choose a chapter";
    const p = documentProblem(refusal(422, message, { errors: [{ field: "chapter", message }] }), "novel.epub");
    expect(p?.chapter).toBe(true);
    expect(p?.detail).toBe(message);
  });

  it("leaves other refusals (an option, a quota) to the form", () => {
    expect(documentProblem(refusal(422, "unknown style", { errors: [{ field: "style", message: "unknown style" }] }), "a.txt")).toBeNull();
    expect(documentProblem(refusal(429, "quota"), "a.txt")).toBeNull();
    expect(documentProblem(new Error("boom"), "a.txt")).toBeNull();
    // But inspect reads nothing else: any of its refusals is the document's.
    expect(inspectProblem(refusal(500, "internal"), "a.txt").key).toBe("projects.doc.error.failed");
    expect(inspectProblem(refusal(0, "cannot reach the server"), "a.txt").key).toBe("projects.doc.error.offline");
  });
});

describe("inspect and upload over the API client", () => {
  type Call = { path: string; body: FormData; key?: string };

  async function withAnswer(status: number, body: unknown, headers: Record<string, string> = {}) {
    const calls: Call[] = [];
    vi.doMock("../../api/client", async (importActual) => {
      const actual = await importActual<typeof import("../../api/client")>();
      const POST = async (path: string, init: { body: FormData; params?: { header?: Record<string, string> } }) => {
        calls.push({ path, body: init.body, key: init.params?.header?.["Idempotency-Key"] });
        const response = new Response(JSON.stringify(body), { status, headers });
        return response.ok ? { data: body, response } : { error: body, response };
      };
      return { ...actual, api: { POST } };
    });
    const module = await import("./documents");
    const client = await import("../../api/client");
    return { ...module, calls, ApiError: client.ApiError };
  }

  beforeEach(() => vi.resetModules());
  afterEach(() => vi.doUnmock("../../api/client"));

  it("sends the file to inspect and returns its chapters", async () => {
    const answer = doc([100, 200]);
    const { inspectDocument, calls } = await withAnswer(200, answer);
    const file = new File(["x"], "two.epub");
    await expect(inspectDocument(file)).resolves.toEqual(answer);
    expect(calls[0].path).toBe("/api/v1/documents/inspect");
    expect((calls[0].body.get("file") as File).name).toBe("two.epub");
  });

  it("throws the server's refusal as an ApiError with its details", async () => {
    // This module's own copies: the client was loaded afresh, with its own ApiError.
    const { inspectDocument, documentProblem: problemOf, ApiError: Err } = await withAnswer(422, {
      code: 422,
      message: "scan.pdf has no text layer (a scan?); run OCR on it or paste the text",
      request_id: "r",
      errors: [],
      details: { reason: "NoTextLayer" },
    });
    const error = await inspectDocument(new File(["x"], "scan.pdf")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Err);
    expect(problemOf(error, "scan.pdf")?.key).toBe("projects.doc.error.scanned");
  });

  it("uploads with the chapter and the idempotency key", async () => {
    const { uploadProject, calls } = await withAnswer(201, { id: "p1", title: "Chapter 2" });
    const made = await uploadProject(new File(["x"], "two.epub"), "2", { ...OPTIONS, style: "anime" }, "k1");
    expect(made).toEqual({ project: { id: "p1", title: "Chapter 2" }, condensed: null });
    expect(calls[0].path).toBe("/api/v1/projects/upload");
    expect(calls[0].body.get("chapter")).toBe("2");
    expect(calls[0].body.get("style")).toBe("anime");
    expect(calls[0].body.get("condense")).toBe("false");
    expect(calls[0].key).toBe("k1");
  });

  it("asks for condensing and returns what the server says it did", async () => {
    const said = "condensed 412,530 -> 1,950 characters (offline, extractive)";
    const { uploadProject, createProject, calls } = await withAnswer(201, { id: "p2", title: "Book" }, { "Storyreel-Condensed": said });
    const made = await uploadProject(new File(["x"], "book.epub"), null, { ...OPTIONS, condense: true }, "k2");
    expect(made.condensed).toBe(said);
    expect(calls[0].body.get("condense")).toBe("true");
    const typed = await createProject({ story: "A long story.", ...OPTIONS, condense: true }, "k3");
    expect(typed).toEqual({ project: { id: "p2", title: "Book" }, condensed: said });
    expect(calls[1]).toMatchObject({ path: "/api/v1/projects", key: "k3", body: { story: "A long story.", condense: true } });
  });
});
