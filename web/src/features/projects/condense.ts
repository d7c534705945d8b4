/** "Condense to fit": when the new-project page offers it (a text past the story limit, or much
 * longer than the video it is made into), and what the server's `Storyreel-Condensed` header
 * says it did, in the page's language. The server decides what is condensed: the page only
 * offers the choice when condensing would do something. */
import { ApiError } from "../../api/client";
import type { TFunction } from "../../i18n";
import type { Lang } from "../../i18n/catalog";
import { formatNumber } from "../../lib/format";

/** The response header that says what was done (sent only when `condense` was asked). */
export const CONDENSED_HEADER = "Storyreel-Condensed";

// The server's measures, for the offer only (storyreel/domain/text.py: a narrator's speed;
// providers/llm/rules.py and pipeline/condense.py: the film's length when none is set, and how
// much longer than it a story may be before it is condensed).
const ZH_CHARS_PER_SECOND = 4.5;
const EN_WORDS_PER_SECOND = 2.6;
const IDEAL_SHOT_SECONDS = 5;
const DEFAULT_MAX_SHOTS = 60;
const TOLERANCE = 0.25;
/** "Much longer" than a video of a set length, for the offer: half as long again (asked, the
 * server condenses anything over a quarter longer). */
const MUCH_LONGER = 1.5;

const CJK = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\u31f0-\u31ff\u{20000}-\u{2ebef}\u{30000}-\u{3134f}]/gu;
const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}\p{N}]+)*/gu;

/** About how many seconds a narrator takes to say `text`: Chinese (and kana) by the character,
 * other scripts by the word, as the server estimates it. */
export function speechSeconds(text: string): number {
  const cjk = (text.match(CJK) ?? []).length;
  const words = (text.replace(CJK, " ").match(WORD) ?? []).length;
  return cjk / ZH_CHARS_PER_SECOND + words / EN_WORDS_PER_SECOND;
}

/** Why condensing is offered: `limit`, the text is past the story limit; `length`, it takes
 * much longer to narrate than the video it is made into; null: it fits, nothing to offer. */
export type CondenseReason = "limit" | "length";

export interface CondenseInput {
  /** Characters of the text (or of the chapters chosen). */
  chars: number;
  /** The text itself, or a sample of it (chapter openings): its speaking rate is scaled to `chars`. */
  sample: string;
  /** The story limit, when known (a document says it; typed text learns it from a 413). */
  maxChars: number | null;
  /** The video's length; null: as long as the story needs (up to the default number of shots). */
  targetSeconds: number | null;
  maxShots?: number;
}

/** About how long narrating the text takes, in seconds. */
export function narrationSeconds({ chars, sample }: Pick<CondenseInput, "chars" | "sample">): number {
  const size = Array.from(sample.trim()).length;
  if (chars <= 0 || size === 0) return 0;
  return (speechSeconds(sample) / size) * chars;
}

/** Whether (and why) to offer condensing: past the story limit, or much longer than the video.
 * A video of no set length holds what its shots do: past that, the server condenses. */
export function condenseReason(input: CondenseInput): CondenseReason | null {
  if (input.maxChars !== null && input.chars > input.maxChars) return "limit";
  const most =
    input.targetSeconds !== null
      ? input.targetSeconds * MUCH_LONGER
      : (input.maxShots ?? DEFAULT_MAX_SHOTS) * IDEAL_SHOT_SECONDS * (1 + TOLERANCE);
  return narrationSeconds(input) > most ? "length" : null;
}

/** The story limit a 413 refusal of typed text names (`details.limit_chars`), if it does. */
export function storyLimitOf(error: unknown): number | null {
  if (!(error instanceof ApiError) || error.status !== 413) return null;
  const limit = error.details?.limit_chars;
  return typeof limit === "number" && limit > 0 ? limit : null;
}

// --- what was done ------------------------------------------------------------------------

/** The header, read: "condensed 31,204 -> 1,950 characters (offline, extractive)[; note]" or
 * "not condensed: 1,204 characters already fit"; anything else is kept as it is. */
export type Condensed =
  | { kind: "condensed"; before: number; after: number; method: "llm" | "offline"; note: string }
  | { kind: "fit"; chars: number }
  | { kind: "other"; text: string };

const number = (text: string) => Number(text.replace(/[,\s]/g, ""));

export function parseCondensed(header: string | null | undefined): Condensed | null {
  const text = header?.trim();
  if (!text) return null;
  const done = /^condensed ([\d,]+) -> ([\d,]+) characters \(([^)]*)\)(?:; (.*))?$/.exec(text);
  if (done) {
    const method = done[3].startsWith("LLM") ? "llm" : "offline";
    return { kind: "condensed", before: number(done[1]), after: number(done[2]), method, note: done[4] ?? "" };
  }
  const fit = /^not condensed: ([\d,]+) characters already fit$/.exec(text);
  if (fit) return { kind: "fit", chars: number(fit[1]) };
  return { kind: "other", text };
}

/** One sentence for the message shown once the project is made. */
export function condensedMessage(done: Condensed, t: TFunction, lang: Lang): string {
  const n = (value: number) => formatNumber(value, lang);
  switch (done.kind) {
    case "condensed": {
      const key = done.method === "llm" ? "projects.condense.doneLlm" : "projects.condense.doneOffline";
      const line = t(key, { before: n(done.before), after: n(done.after) });
      return done.note ? `${line} ${t("projects.condense.note", { note: done.note })}` : line;
    }
    case "fit":
      return t("projects.condense.fit", { n: n(done.chars) });
    default:
      return t("projects.condense.other", { detail: done.text });
  }
}
