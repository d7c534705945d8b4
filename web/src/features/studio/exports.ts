/** Exports for other editors (docs/exports.md): the project's finished render as a zip or an
 * .otioz, fetched with the session's token (so it cannot be a plain `<a href>`) and handed to
 * the browser as a download under the server's file name. */
import { api, unwrap } from "../../api/client";
import type { operations } from "../../api/schema";

export type ExportFormat = operations["export_project_file"]["parameters"]["query"]["format"];

/** The formats in the order the menu offers them. */
export const EXPORT_FORMATS: readonly ExportFormat[] = ["bundle", "jianying", "fcp7", "otio", "otioz", "edl"];

/** The file name in a `Content-Disposition` header (RFC 6266): the UTF-8 `filename*` when there
 * is one, else the plain `filename`; null when it names none. */
export function dispositionFilename(header: string | null): string | null {
  if (!header) return null;
  const extended = /filename\*\s*=\s*([^;]+)/i.exec(header);
  if (extended) {
    const value = extended[1].trim().replace(/^"(.*)"$/, "$1");
    const quote = value.indexOf("''");
    try {
      const name = decodeURIComponent(quote >= 0 ? value.slice(quote + 2) : value);
      if (name) return name;
    } catch {
      // a malformed encoding: fall back to the plain name
    }
  }
  const plain = /(?:^|;)\s*filename\s*=\s*("((?:[^"\\]|\\.)*)"|[^;]+)/i.exec(header);
  if (!plain) return null;
  const name = plain[2] !== undefined ? plain[2].replace(/\\(.)/g, "$1") : plain[1].trim();
  return name || null;
}

/** Hand a blob to the browser as a download named `filename`. */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  link.style.display = "none";
  document.body.appendChild(link);
  link.click();
  link.remove();
  // Some browsers read the object URL after click() returns: let it go a little later.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** Fetch an export of the project's current render; an `ApiError` with the server's message
 * (e.g. 409: no finished render) when it is refused. */
export async function fetchExport(projectId: string, format: ExportFormat): Promise<{ blob: Blob; filename: string }> {
  const call = api.GET("/api/v1/projects/{project_id}/export", {
    params: { path: { project_id: projectId }, query: { format } },
    parseAs: "blob",
  });
  const blob = (await unwrap(call)) as Blob;
  const { response } = await call;
  const fallback = `export${format === "otioz" ? ".otioz" : ".zip"}`;
  return { blob, filename: dispositionFilename(response.headers.get("Content-Disposition")) ?? fallback };
}

/** Fetch an export and save it; resolves with the file's name. */
export async function downloadExport(projectId: string, format: ExportFormat): Promise<string> {
  const { blob, filename } = await fetchExport(projectId, format);
  saveBlob(blob, filename);
  return filename;
}
