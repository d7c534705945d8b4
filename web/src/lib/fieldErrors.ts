/** The server's per-field messages (a 422's `errors[]`) shown under the form fields they name. */
import type { FormInstance } from "antd";
import { ApiError } from "../api/client";

export interface FieldError {
  /** The form's name path ("quotas.images_per_day" → ["quotas", "images_per_day"]). */
  name: string[];
  errors: string[];
}

/** The messages of `error` for the fields a form has. `known` lists the form's fields as dotted
 * paths; the server's path ("events[0]", "story.text") goes to the longest known field it
 * starts with. `rename` maps the server's top-level names to the form's
 * (`{ target_seconds: "length" }`, or a dotted path: `{ image: "routing.image" }`). Messages for
 * other fields are left out. */
export function fieldErrors(error: unknown, known: readonly string[], rename: Record<string, string> = {}): FieldError[] {
  if (!(error instanceof ApiError)) return [];
  const byField = new Map<string, FieldError>();
  for (const e of error.fieldErrors) {
    const path = e.field.split(/[.[\]]/).filter(Boolean);
    if (path.length > 0 && rename[path[0]] !== undefined) path.splice(0, 1, ...rename[path[0]].split("."));
    for (let n = path.length; n > 0; n--) {
      const field = path.slice(0, n).join(".");
      if (!known.includes(field)) continue;
      const entry = byField.get(field) ?? { name: path.slice(0, n), errors: [] };
      entry.errors.push(e.message);
      byField.set(field, entry);
      break;
    }
  }
  return [...byField.values()];
}

/** Show `error`'s messages under the form's fields (see `fieldErrors`); returns the fields that
 * took one, in the server's order (empty when none did: show the message above the form). */
export function applyFieldErrors<T>(
  form: FormInstance<T>,
  error: unknown,
  known: readonly string[],
  rename?: Record<string, string>,
): FieldError[] {
  const fields = fieldErrors(error, known, rename);
  if (fields.length > 0) form.setFields(fields.map((f) => ({ name: f.name as never, errors: f.errors })));
  return fields;
}
