import type { FormInstance } from "antd";
import { ApiError } from "../../api/client";

/** Show the server's per-field messages (422 `errors[]`) under the matching form fields; the
 * first segment of a path ("quotas.images_per_day" → ["quotas", "images_per_day"]). Returns
 * whether any field took a message. */
export function applyFieldErrors<T>(form: FormInstance<T>, error: unknown, known: readonly string[]): boolean {
  if (!(error instanceof ApiError)) return false;
  const fields = error.fieldErrors
    .map((e) => ({ name: e.field.split(/[.[\]]/).filter(Boolean), message: e.message }))
    .filter((e) => e.name.length > 0 && known.includes(e.name.join(".")));
  if (fields.length === 0) return false;
  form.setFields(fields.map((e) => ({ name: e.name as never, errors: [e.message] })));
  return true;
}
