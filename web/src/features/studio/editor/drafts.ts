/** Inline-edit drafts: what a text field shows, whether it needs saving, and why not. */
import { codePoints } from "./split";

export type DraftStatus = "clean" | "dirty" | "saving" | "saved" | "error";

export interface Draft {
  /** What the field shows. */
  value: string;
  /** The server's value as last known. */
  base: string;
  status: DraftStatus;
  error: string | null;
  /** The value being saved (after a failure: the value that failed). */
  sent: string | null;
}

export type DraftAction =
  | { type: "edit"; value: string }
  | { type: "revert" }
  | { type: "save-start" }
  | { type: "save-ok"; value: string }
  | { type: "save-fail"; error: string }
  | { type: "server"; value: string };

export function initialDraft(value: string): Draft {
  return { value, base: value, status: "clean", error: null, sent: null };
}

export function draftReducer(d: Draft, a: DraftAction): Draft {
  switch (a.type) {
    case "edit":
      if (a.value === d.value) return d;
      if (d.status === "saving") return { ...d, value: a.value };
      return { ...d, value: a.value, status: a.value === d.base ? "clean" : "dirty", error: null };
    case "revert":
      return { ...d, value: d.base, status: "clean", error: null, sent: null };
    case "save-start":
      return { ...d, status: "saving", error: null, sent: d.value };
    case "save-ok": {
      const untouched = d.value === d.sent;
      return {
        value: untouched ? a.value : d.value,
        base: a.value,
        status: untouched || d.value === a.value ? "saved" : "dirty",
        error: null,
        sent: null,
      };
    }
    case "save-fail":
      return { ...d, status: "error", error: a.error }; // `sent`: what failed
    case "server":
      if (a.value === d.base) return d;
      // Fresh data from elsewhere: take it unless the user has edits of their own in the field.
      if (d.status === "clean" || d.status === "saved") return { ...d, value: a.value, base: a.value };
      return { ...d, base: a.value, status: d.value === a.value && d.status !== "saving" ? "clean" : d.status };
  }
}

export type TextProblem = "empty" | "tooLong";

export function validateText(value: string, max: number): TextProblem | null {
  if (!value.trim()) return "empty";
  if (codePoints(value).length > max) return "tooLong";
  return null;
}

/** Whether leaving the field should save: not to send again, unchanged, what just failed
 * (that takes Try again or Ctrl+Enter). */
export function saveOnLeave(d: Draft, max: number): boolean {
  if (d.status === "error" && d.value === d.sent) return false;
  return needsSave(d, max);
}

/** Whether the draft holds a change worth sending (different and valid). */
export function needsSave(d: Draft, max: number): boolean {
  if (d.status === "saving") return false;
  if (d.value === d.base) return false;
  return validateText(d.value, max) === null;
}
