/** Story text helpers: a title from the first line and the language it is written in. (A dropped
 * file is read by the server: see `documents.ts`.) */

import { LIMITS } from "../../api/schema-constants.gen";

export const MAX_TITLE = LIMITS.ProjectIn.title.maxLength;
const TITLE_CHARS = 60;
const SENTENCE_AFTER = 24;
const STORY_FILE = /\.(txt|text|md|markdown|docx|pdf|epub|html?|xhtml)$/i;

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

/** "my_story.final.md" → "my_story.final" (and "novel.epub" → "novel"). */
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
