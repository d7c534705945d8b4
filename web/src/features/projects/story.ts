/** Story text helpers: a title from the first line, the language it is written in, and reading
 * a dropped .txt/.md file on the device (UTF-8, or GB18030 for older Chinese files). */

import { LIMITS } from "../../api/schema-constants.gen";

export const MAX_TITLE = LIMITS.ProjectIn.title.maxLength;
const TITLE_CHARS = 60;
const SENTENCE_AFTER = 24;
export const MAX_FILE_MB = 2;
const STORY_FILE = /\.(txt|text|md|markdown)$/i;

function chars(text: string): string[] {
  return Array.from(text);
}

/** The number of characters as a reader counts them (a Chinese character or emoji is one). */
export function charCount(text: string): number {
  return chars(text).length;
}

/** A title from the story's first line: a Markdown heading as written, a long line cut at its
 * first sentence or to 60 characters. */
export function titleFrom(story: string): string {
  const line = story
    .split("\n")
    .map((l) => l.trim())
    .find((l) => l.length > 0);
  if (!line) return "";
  let title = line
    .replace(/^#{1,6}\s*/, "")
    .replace(/^(?:[>*+-]|\d+[.)])\s+/, "")
    .replace(/[*_`~]+/g, "")
    .replace(/^[《「『“"]+|[》」』”"]+$/g, "")
    .trim();
  // A long first line is the story itself: its first sentence names it best.
  if (chars(title).length > SENTENCE_AFTER) {
    const sentence = /^(.+?(?:[。！？!?]|\.(?=\s|$)))/u.exec(title);
    if (sentence && chars(sentence[1]).length <= TITLE_CHARS) title = sentence[1];
  }
  if (chars(title).length > TITLE_CHARS) title = `${chars(title).slice(0, TITLE_CHARS - 1).join("")}…`;
  title = title.replace(/[。.，,、；;：:]+$/u, "");
  return title;
}

/** The story's first line when it is a Markdown heading. */
export function headingOf(story: string): string | null {
  const line = story.split("\n").find((l) => l.trim().length > 0)?.trim() ?? "";
  return /^#{1,6}\s+\S/.test(line) ? titleFrom(line) : null;
}

/** "my_story.final.md" → "my_story.final". */
export function titleFromFileName(name: string): string {
  return name.replace(STORY_FILE, "").trim() || name;
}

/** zh when the text is mostly Chinese characters, else en. */
export function guessLanguage(text: string): "zh" | "en" {
  const sample = text.slice(0, 2000);
  const han = (sample.match(/\p{Script=Han}/gu) ?? []).length;
  const latin = (sample.match(/[A-Za-z]+/g) ?? []).length;
  return han > latin ? "zh" : "en";
}

export type FileProblem = "type" | "size" | "empty" | "unreadable";

export class StoryFileError extends Error {
  readonly problem: FileProblem;
  constructor(problem: FileProblem) {
    super(problem);
    this.problem = problem;
  }
}

/** A dropped file's text, read on the device. */
export async function readStoryFile(file: File): Promise<string> {
  const typed = file.type === "" || file.type.startsWith("text/");
  if (!STORY_FILE.test(file.name) || !typed) throw new StoryFileError("type");
  if (file.size > MAX_FILE_MB * 1024 * 1024) throw new StoryFileError("size");
  let bytes: ArrayBuffer;
  try {
    bytes = await file.arrayBuffer();
  } catch {
    throw new StoryFileError("unreadable");
  }
  let text = new TextDecoder("utf-8").decode(bytes);
  if (text.includes("\uFFFD")) {
    // Not UTF-8: Chinese text files from older editors are often GB18030 (GBK).
    try {
      const gb = new TextDecoder("gb18030", { fatal: true }).decode(bytes);
      text = gb;
    } catch {
      // keep the UTF-8 reading; the replacement characters show what could not be read
    }
  }
  text = text.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n");
  if (text.includes("\u0000")) throw new StoryFileError("unreadable");
  if (!text.trim()) throw new StoryFileError("empty");
  return text;
}
