/** Splitting a shot's narration: the preview of a cut, good places to cut, and where to start. */

/** Offsets are in Unicode code points, as the server counts them (not UTF-16 units). */
export function codePoints(text: string): string[] {
  return Array.from(text);
}

export type SplitPreview =
  | { ok: true; head: string; tail: string }
  | { ok: false; reason: "range" | "empty"; head: string; tail: string };

/** What splitting `text` at `at` gives: the shot keeps `head`, a new shot gets `tail`. */
export function splitPreview(text: string, at: number): SplitPreview {
  const chars = codePoints(text);
  const cut = Math.round(at);
  const head = chars.slice(0, Math.max(0, cut)).join("").trim();
  const tail = chars.slice(Math.max(0, cut)).join("").trim();
  if (!(cut > 0 && cut < chars.length)) return { ok: false, reason: "range", head, tail };
  if (!head || !tail) return { ok: false, reason: "empty", head, tail };
  return { ok: true, head, tail };
}

const SENTENCE_END = /[.!?。！？；;…]/u;
const CLAUSE_END = /[,，、:：;；—]/u;
const CLOSERS = /["'”’」』)）\]]/u;

function cutsAfter(text: string, mark: RegExp): number[] {
  const chars = codePoints(text);
  const out: number[] = [];
  for (let i = 0; i < chars.length; i++) {
    if (!mark.test(chars[i])) continue;
    let j = i + 1;
    while (j < chars.length && (mark.test(chars[j]) || CLOSERS.test(chars[j]))) j++;
    while (j < chars.length && /\s/u.test(chars[j])) j++;
    if (j < chars.length && !out.includes(j) && splitPreview(text, j).ok) out.push(j);
    i = j - 1;
  }
  return out;
}

/** Good places to cut: after each sentence's end (and its closing quotes), where the text
 * goes on. */
export function splitSuggestions(text: string): number[] {
  return cutsAfter(text, SENTENCE_END);
}

/** Next best, for a single sentence: after its commas and other pauses. */
export function pauseSuggestions(text: string): number[] {
  return cutsAfter(text, CLAUSE_END);
}

/** A word start near `at` (for texts with spaces), so a cut never halves a word: the start of
 * the word `at` falls in, or with `direction` 1 the next word's start. Texts without spaces
 * (Chinese and the like) may be cut at any character. */
export function snapToWord(text: string, at: number, direction: 1 | -1 = -1): number {
  const chars = codePoints(text);
  const space = (c: string | undefined) => c !== undefined && /\s/u.test(c);
  if (!chars.some((c) => space(c))) return at;
  const i = Math.max(0, Math.min(chars.length, Math.round(at)));
  const isStart = (j: number) => j === 0 || (space(chars[j - 1]) && !space(chars[j]));
  if (direction > 0) {
    for (let j = i; j < chars.length; j++) if (j > 0 && isStart(j)) return j;
  }
  let j = i;
  while (j > 0 && !isStart(j)) j--;
  return j;
}

/** Where the split dialog starts: the sentence end nearest the middle, else the pause nearest
 * the middle, else the word start nearest the middle, else the middle. */
export function defaultSplit(text: string): number {
  const length = codePoints(text).length;
  const middle = length / 2;
  const sentences = splitSuggestions(text);
  const suggestions = sentences.length ? sentences : pauseSuggestions(text);
  if (suggestions.length) {
    return suggestions.reduce((best, s) => (Math.abs(s - middle) < Math.abs(best - middle) ? s : best));
  }
  const snapped = snapToWord(text, middle);
  if (splitPreview(text, snapped).ok) return snapped;
  return Math.max(1, Math.floor(middle));
}
