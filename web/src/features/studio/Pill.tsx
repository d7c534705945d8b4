/** A small coloured label whose text stays readable on its tint (WCAG AA), unlike antd's
 * preset tag colours. */
import { Tag, type TagProps } from "antd";

export type Tone = "green" | "red" | "grey" | "purple" | "blue" | "amber";

const TONES: Record<Tone, { color: string; background: string }> = {
  green: { color: "#17703a", background: "#e3f5e9" },
  red: { color: "#b42318", background: "#fdeceb" },
  grey: { color: "#494956", background: "#ececf1" },
  purple: { color: "#4325d0", background: "#ebe6ff" },
  blue: { color: "#1d4f9c", background: "#e5eefc" },
  amber: { color: "#7a4a00", background: "#fff1d6" },
};

export function Pill({ tone, style, ...rest }: TagProps & { tone: Tone }) {
  return <Tag variant="filled" {...rest} style={{ marginInlineEnd: 0, ...TONES[tone], ...style }} />;
}
