import { ASPECTS, type Aspect } from "../../api/schema-constants.gen";
import { useT } from "../../i18n";
import { CardRadioGroup, type CardChoice } from "./CardRadioGroup";

export type { Aspect };

/** How each of the server's aspects is drawn and named (a new one fails to compile until added). */
const FRAME: Record<Aspect, { w: number; h: number; name: "landscape" | "portrait" | "square" }> = {
  "16:9": { w: 96, h: 54, name: "landscape" },
  "9:16": { w: 38, h: 68, name: "portrait" },
  "1:1": { w: 60, h: 60, name: "square" },
};
const FRAMES = ASPECTS.map((value) => ({ value, ...FRAME[value] }));

/** The video's aspect ratio as three frames drawn in their proportions. */
export function AspectPicker({ id, value, onChange }: { id?: string; value?: Aspect; onChange?: (value: Aspect) => void }) {
  const t = useT();
  const choices: CardChoice<Aspect>[] = FRAMES.map((frame) => ({
    value: frame.value,
    name: `${t(`projects.new.aspect.${frame.name}`)} ${frame.value}`,
    label: (
      <>
        {t(`projects.new.aspect.${frame.name}`)}
        <span className="sr-only"> {frame.value}</span>
      </>
    ),
    description: t(`projects.new.aspect.${frame.name}Hint`),
    visual: (
      <div className="projects-frame-box" aria-hidden="true">
        <div className="projects-frame" style={{ width: frame.w, height: frame.h }}>
          {frame.value}
        </div>
      </div>
    ),
    attrs: { "data-aspect": frame.value },
  }));
  return (
    <CardRadioGroup
      id={id}
      value={value}
      onChange={onChange}
      choices={choices}
      label={t("projects.new.aspectLabel")}
      span={{ xs: 8 }}
      compact
      testId="aspect-option"
    />
  );
}
