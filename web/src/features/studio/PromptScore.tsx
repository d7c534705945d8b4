/** How good the prompt a shot's picture was drawn from is: a small "Prompt score 82/100" tag;
 * hovering or focusing it shows the image model family it was written for and why points were
 * lost (`ShotOut.image_prompt`, from the image task that drew the picture). */
import { Tag, Tooltip } from "antd";
import { useT } from "../../i18n";
import type { Shot, StudioKey } from "./editor/types";

export type ImagePrompt = NonNullable<Shot["image_prompt"]>;

/** Image model families by their own names; "plain" is the storyboard's text as written. */
const FAMILIES: Record<string, string> = { sd: "Stable Diffusion", sdxl: "SDXL", flux: "FLUX", dalle: "DALL·E", qwen: "Qwen-Image" };

const REASONS: Record<string, StudioKey> = {
  missing_subject: "studio.prompt.reason.missing_subject",
  missing_setting: "studio.prompt.reason.missing_setting",
  missing_time_of_day: "studio.prompt.reason.missing_time_of_day",
  untranslated_text: "studio.prompt.reason.untranslated_text",
  mixed_languages: "studio.prompt.reason.mixed_languages",
  too_long: "studio.prompt.reason.too_long",
  trimmed: "studio.prompt.reason.trimmed",
  undescribed_character: "studio.prompt.reason.undescribed_character",
};

const LANGUAGES: Record<string, StudioKey> = { en: "studio.prompt.language.en", zh: "studio.prompt.language.zh" };

/** The tag's colour: green from 80, gold from 60, else red. */
export function scoreTone(score: number): "success" | "warning" | "error" {
  return score >= 80 ? "success" : score >= 60 ? "warning" : "error";
}

export function PromptScore({ prompt }: { prompt: ImagePrompt }) {
  const t = useT();
  const family = prompt.family === "plain" ? t("studio.prompt.familyPlain") : (FAMILIES[prompt.family] ?? prompt.family);
  const language = LANGUAGES[prompt.language] ? t(LANGUAGES[prompt.language]) : prompt.language;
  const details = (
    <div data-testid="prompt-score-details" style={{ maxWidth: 320 }}>
      <div>{t("studio.prompt.family", { family })}</div>
      {language && <div>{t("studio.prompt.language", { language })}</div>}
      {prompt.reasons.length === 0 ? (
        <div style={{ marginTop: 6 }}>{t("studio.prompt.complete")}</div>
      ) : (
        <>
          <div style={{ marginTop: 6, fontWeight: 600 }}>{t("studio.prompt.lost")}</div>
          <ul style={{ margin: "2px 0 0", paddingInlineStart: 18 }}>
            {prompt.reasons.map((r, i) => (
              <li key={`${r.code}-${i}`} data-code={r.code}>
                {t("studio.prompt.points", { points: r.points })} {REASONS[r.code] ? t(REASONS[r.code]) : r.code}
                {r.message && <div style={{ opacity: 0.75, fontSize: 12 }}>{r.message}</div>}
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
  return (
    <Tooltip title={details} trigger={["hover", "focus"]} placement="bottomLeft">
      <Tag
        color={scoreTone(prompt.score)}
        tabIndex={0}
        data-testid="prompt-score"
        data-score={prompt.score}
        style={{ alignSelf: "flex-start", marginInlineEnd: 0, cursor: "help" }}
      >
        {t("studio.prompt.score", { score: prompt.score })}
      </Tag>
    </Tooltip>
  );
}
