import type { TFunction } from "../../i18n";

/** The roles the server knows (storyreel/api/routes/admin.py `Role`). */
export const ROLES = ["admin", "user", "viewer", "guest"] as const;
export type Role = (typeof ROLES)[number];

export function roleLabel(t: TFunction, role: string): string {
  switch (role) {
    case "admin":
      return t("settings.roleAdmin");
    case "user":
      return t("settings.roleUser");
    case "viewer":
      return t("settings.roleViewer");
    case "guest":
      return t("settings.roleGuest");
    default:
      return role;
  }
}
