/** A story from a document (.txt, .md, .docx, .pdf, .epub, .html): the server reads it
 * (`POST /documents/inspect`: its title and chapters), a person picks the whole document or a
 * run of chapters, and the project is made by upload (`POST /projects/upload`, `chapter`).
 * Condensing (`condense`) lets any choice through: the server shortens it to fit.
 * The picker's rules and the refusals' plain words live here, apart from the page. */
import { api, ApiError, unwrap, type Schemas } from "../../api/client";
import type { MessageKey } from "../../i18n/catalog";
import { CONDENSED_HEADER } from "./condense";
import { titleFromFileName } from "./story";

export type DocumentInfo = Schemas["DocumentOut"];
export type Chapter = Schemas["ChapterOut"];
/** The page's options, sent with the file (`condense`: shorten the chosen text to fit). */
export type UploadFields = Omit<Schemas["ProjectUpload"], "file" | "chapter">;
/** A project just made, and what the server says it condensed (its `Storyreel-Condensed`
 * header; null when condensing was not asked). */
export interface Created {
  project: Schemas["ProjectOut"];
  condensed: string | null;
}

/** What the file picker offers (the server decides by content, not by name). */
export const DOCUMENT_TYPES = [".txt", ".md", ".docx", ".pdf", ".epub", ".html"] as const;
export const DOCUMENT_ACCEPT = [
  ...DOCUMENT_TYPES,
  ".markdown",
  ".text",
  ".htm",
  ".xhtml",
  "text/plain",
  "text/markdown",
  "text/html",
  "application/pdf",
  "application/epub+zip",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
].join(",");

/** Chapters `from` to `to` (1-based, inclusive); null: nothing chosen yet. */
export interface Range {
  from: number;
  to: number;
}
export type Selection = Range | null;

// --- the API ------------------------------------------------------------------------------

/** The document's kind, title and chapters; nothing is stored. */
export async function inspectDocument(file: File): Promise<DocumentInfo> {
  const form = new FormData();
  form.append("file", file, file.name);
  return unwrap(
    api.POST("/api/v1/documents/inspect", {
      // openapi-fetch sends a FormData body as it is (multipart, with its boundary).
      body: form as unknown as Schemas["Body_inspect_document"],
    }),
  );
}

/** The upload's multipart body: the file, the chapter choice and the page's options (a null
 * option is left out, so the server's default applies). */
export function uploadForm(file: File, chapter: string | null, fields: UploadFields): FormData {
  const form = new FormData();
  form.append("file", file, file.name);
  if (chapter) form.append("chapter", chapter);
  for (const [name, value] of Object.entries(fields)) {
    if (value === null || value === undefined) continue;
    form.append(name, String(value));
  }
  return form;
}

/** The project a create call made, with the header that says what was condensed. */
async function created(call: Promise<{ data?: Schemas["ProjectOut"]; error?: unknown; response: Response }>): Promise<Created> {
  const seen: { response?: Response } = {};
  const project = await unwrap(
    call.then((result) => {
      seen.response = result.response;
      return result;
    }),
  );
  return { project, condensed: seen.response?.headers.get(CONDENSED_HEADER) ?? null };
}

/** A project from the document's chosen chapters; `key` makes a retry create it once. */
export async function uploadProject(file: File, chapter: string | null, fields: UploadFields, key: string): Promise<Created> {
  return created(
    api.POST("/api/v1/projects/upload", {
      body: uploadForm(file, chapter, fields) as unknown as Schemas["ProjectUpload"],
      params: { header: { "Idempotency-Key": key } },
    }),
  );
}

/** A project from typed or pasted text (condensed first with `condense`). */
export async function createProject(body: Schemas["ProjectIn"], key: string): Promise<Created> {
  return created(api.POST("/api/v1/projects", { body, params: { header: { "Idempotency-Key": key } } }));
}

// --- the picker ---------------------------------------------------------------------------

function len(text: string): number {
  return Array.from(text).length;
}

export function isWhole(doc: DocumentInfo, selection: Selection): boolean {
  return selection !== null && selection.from === 1 && selection.to === doc.chapters.length;
}

/** About how many characters the story of `selection` is, as the server counts it: each
 * chapter with its title as a first line, a blank line between; the whole document (when it
 * fits) as the server measured it. */
export function selectionChars(doc: DocumentInfo, selection: Selection): number {
  if (selection === null) return 0;
  if (isWhole(doc, selection) && doc.fits_whole) return Math.min(doc.characters, doc.max_story_chars);
  const chosen = doc.chapters.slice(selection.from - 1, selection.to);
  let total = 0;
  for (const c of chosen) total += c.characters + (c.title ? len(c.title) + 2 : 0);
  return total + 2 * Math.max(0, chosen.length - 1);
}

/** Whether the story of `selection` fits one story (anything chosen does when `condense`: the
 * server shortens it). */
export function fits(doc: DocumentInfo, selection: Selection, condense = false): boolean {
  if (selection === null) return false;
  if (condense) return true;
  if (isWhole(doc, selection)) return doc.fits_whole;
  return selectionChars(doc, selection) <= doc.max_story_chars;
}

/** Whether chapter `n` alone fits one story (one that does not cannot be chosen, unless the
 * choice is condensed). */
export function chapterFits(doc: DocumentInfo, n: number, condense = false): boolean {
  if (condense) return true;
  if (doc.chapters.length === 1) return doc.fits_whole;
  return selectionChars(doc, { from: n, to: n }) <= doc.max_story_chars;
}

/** Whether the choice is past the story limit (so only condensing lets it through). */
export function overLimit(doc: DocumentInfo, selection: Selection): boolean {
  return selection !== null && !fits(doc, selection);
}

/** The first choice: the whole document when it fits, else the first chapter that does. */
export function initialSelection(doc: DocumentInfo): Selection {
  if (doc.chapters.length === 0) return null;
  if (doc.fits_whole) return { from: 1, to: doc.chapters.length };
  const first = doc.chapters.find((c) => chapterFits(doc, c.number));
  return first ? { from: first.number, to: first.number } : null;
}

/** Ticking or unticking chapter `n`, keeping the choice one run of chapters: ticking one
 * outside the run stretches the run to it; unticking an end shrinks the run by one; unticking
 * one inside the run keeps the chapters before it. */
export function toggleChapter(selection: Selection, n: number): Selection {
  if (selection === null) return { from: n, to: n };
  const { from, to } = selection;
  if (n < from) return { from: n, to };
  if (n > to) return { from, to: n };
  if (from === to) return null;
  if (n === from) return { from: from + 1, to };
  if (n === to) return { from, to: to - 1 };
  return { from, to: n - 1 };
}

/** The whole document ticked (every chapter) or unticked (none). */
export function toggleWhole(doc: DocumentInfo, selection: Selection): Selection {
  return isWhole(doc, selection) ? null : { from: 1, to: doc.chapters.length };
}

/** The upload's `chapter` field: null for the whole document, "3", or "2-3". */
export function chapterField(doc: DocumentInfo, selection: Selection): string | null {
  if (selection === null || isWhole(doc, selection)) return null;
  return selection.from === selection.to ? String(selection.from) : `${selection.from}-${selection.to}`;
}

/** A title for the project: the document's for the whole of it, else the chapters'. */
export function selectionTitle(doc: DocumentInfo, selection: Selection, fileName: string, max: number): string {
  const name = doc.title?.trim() || titleFromFileName(fileName);
  let title = name;
  if (selection !== null && !isWhole(doc, selection)) {
    const first = doc.chapters[selection.from - 1]?.title.trim();
    const last = doc.chapters[selection.to - 1]?.title.trim();
    const part = selection.from === selection.to ? first : first && last ? `${first} – ${last}` : "";
    if (part) title = part === name ? name : `${name}: ${part}`;
  }
  const chars = Array.from(title);
  return chars.length > max ? `${chars.slice(0, max - 1).join("")}…` : title;
}

/** Some of the chosen chapters' text, for guessing their language. */
export function selectionSample(doc: DocumentInfo, selection: Selection): string {
  const chosen = selection === null ? doc.chapters : doc.chapters.slice(selection.from - 1, selection.to);
  return [doc.title ?? "", ...chosen.slice(0, 5).map((c) => `${c.title}\n${c.preview}`)].join("\n");
}

// --- refusals -----------------------------------------------------------------------------

/** A refusal of the document (by inspect or upload) in plain words: `key` says what went wrong
 * in the page's language, `detail` is the server's own sentence (what to do, with the limits). */
export interface DocumentProblem {
  key: MessageKey;
  vars: Record<string, string | number>;
  detail: string | null;
  /** The chapter choice was refused (show it at the picker). */
  chapter: boolean;
}

const REASONS: Record<string, MessageKey> = {
  EncryptedDocument: "projects.doc.error.locked",
  NoTextLayer: "projects.doc.error.scanned",
  UnsafeArchive: "projects.doc.error.unsafe",
  MalformedDocument: "projects.doc.error.damaged",
  EmptyDocument: "projects.doc.error.empty",
};

function mb(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(bytes % (1024 * 1024) === 0 ? 0 : 1);
}

/** What a refusal from inspect or upload says about the document; null when it is about
 * something else (an option, a quota, the session), which the page shows where it always has. */
export function documentProblem(error: unknown, name: string): DocumentProblem | null {
  if (!(error instanceof ApiError)) return null;
  const details = error.details ?? {};
  const fields = error.fieldErrors.map((f) => f.field);
  const problem = (key: MessageKey, vars: Record<string, string | number> = {}, chapter = false): DocumentProblem => ({
    key,
    vars: { name, ...vars },
    detail: error.message || null,
    chapter,
  });
  switch (error.status) {
    case 0:
      return problem("projects.doc.error.offline");
    case 415:
      return problem("projects.doc.error.type");
    case 413:
      return typeof details.limit_bytes === "number"
        ? problem("projects.doc.error.tooBig", { mb: mb(details.limit_bytes) })
        : problem("projects.doc.error.tooLong");
    case 422: {
      if (fields.includes("chapter")) return problem("projects.doc.error.chapter", {}, true);
      if (fields.includes("story")) return problem("projects.doc.error.story");
      if (fields.length > 0 && !fields.includes("file")) return null; // an option, shown under its field
      const reason = typeof details.reason === "string" ? REASONS[details.reason] : undefined;
      return problem(reason ?? "projects.doc.error.unreadable");
    }
    default:
      return null;
  }
}

/** Any refusal of inspect as a problem with the document (inspect reads nothing else). */
export function inspectProblem(error: unknown, name: string): DocumentProblem {
  return (
    documentProblem(error, name) ?? {
      key: "projects.doc.error.failed",
      vars: { name },
      detail: error instanceof Error ? error.message : String(error),
      chapter: false,
    }
  );
}
