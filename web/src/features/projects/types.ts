import type { Schemas } from "../../api/client";

/** A project as the list shows it: with its latest render's poster and length, its shot count. */
export type ProjectItem = Schemas["ProjectSummary"];

export type ProjectStatus = ProjectItem["status"];

export const STATUSES: ProjectStatus[] = ["draft", "running", "failed", "done"];
