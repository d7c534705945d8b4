/** Every string of the studio, by language. Each feature keeps its own table (its
 * `messages.ts`, keys prefixed with the feature's name); this file only joins them. */
import * as admin from "../features/admin/messages";
import * as assistant from "../features/assistant/messages";
import * as auth from "../features/auth/messages";
import * as common from "../app/messages";
import * as projects from "../features/projects/messages";
import * as providers from "../features/providers/messages";
import * as pwa from "../pwa/messages";
import * as settings from "../features/settings/messages";
import * as studio from "../features/studio/messages";

export const catalogs = {
  en: { ...common.en, ...auth.en, ...projects.en, ...studio.en, ...settings.en, ...admin.en, ...providers.en, ...assistant.en, ...pwa.en },
  zh: { ...common.zh, ...auth.zh, ...projects.zh, ...studio.zh, ...settings.zh, ...admin.zh, ...providers.zh, ...assistant.zh, ...pwa.zh },
};

export type Lang = keyof typeof catalogs;
export type MessageKey = keyof (typeof catalogs)["en"];
export const LANGS: { value: Lang; label: string }[] = [
  { value: "zh", label: "简体中文" },
  { value: "en", label: "English" },
];
