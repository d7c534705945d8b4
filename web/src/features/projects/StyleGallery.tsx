import { Col, Row, Tag } from "antd";
import { useId } from "react";
import { errorMessage } from "../../api/client";
import { QueryError } from "../../components/QueryError";
import { useI18n } from "../../i18n";
import { CardRadioGroup, type CardChoice } from "./CardRadioGroup";
import { useStyles } from "../../api/queries";
import type { StyleOption } from "./api";

const SPAN = { xs: 12, sm: 8, lg: 6 } as const;

/** A small landscape painted in a style's palette (darkest to lightest). */
function PaletteScene({ palette }: { palette: string[] }) {
  const raw = useId();
  const id = `sky${raw.replace(/[^a-zA-Z0-9_-]/g, "")}`;
  const p = palette.length >= 5 ? palette : [...palette, ...Array(5).fill(palette[palette.length - 1] ?? "#888")];
  const [darkest, dark, mid, light, lightest] = p;
  return (
    <svg viewBox="0 0 160 84" width="100%" style={{ display: "block", aspectRatio: "160 / 84" }} aria-hidden="true" focusable="false">
      <defs>
        <linearGradient id={id} x1="0" y1="0" x2="0" y2="1">
          <stop offset="0" stopColor={lightest} />
          <stop offset="1" stopColor={light} />
        </linearGradient>
      </defs>
      <rect width="160" height="84" fill={`url(#${id})`} />
      <circle cx="120" cy="26" r="12" fill={lightest} stroke={light} strokeWidth="3" />
      <path d="M0 58 C 25 34, 45 36, 68 50 S 110 30, 160 46 V84 H0 Z" fill={mid} />
      <path d="M0 68 C 30 52, 60 60, 90 66 S 135 54, 160 62 V84 H0 Z" fill={dark} />
      <path d="M0 78 C 40 70, 90 76, 160 72 V84 H0 Z" fill={darkest} />
    </svg>
  );
}

/** The style presets as a gallery of selectable cards (a keyboard-accessible radio group). */
export function StyleGallery({ id, value, onChange }: { id?: string; value?: string; onChange?: (value: string) => void }) {
  const { t, lang } = useI18n();
  const styles = useStyles();
  if (styles.isPending) {
    return (
      <Row gutter={[12, 12]} aria-busy="true">
        {Array.from({ length: 8 }, (_, i) => (
          <Col key={i} {...SPAN}>
            <div className="projects-shimmer" style={{ height: 150, borderRadius: 10 }} />
          </Col>
        ))}
      </Row>
    );
  }
  if (styles.isError) {
    return (
      <QueryError
        error={styles.error}
        title={t("projects.new.stylesError", { message: errorMessage(styles.error) })}
        description={null}
        onRetry={() => void styles.refetch()}
        retrying={styles.isFetching}
      />
    );
  }
  const choices: CardChoice<string>[] = styles.data.map((style: StyleOption) => ({
    value: style.id,
    name: lang === "zh" ? style.label_zh : style.label,
    description: lang === "zh" ? style.description_zh : style.description,
    label: (
      <>
        {lang === "zh" ? style.label_zh : style.label}
        {style.default && (
          <Tag color="purple" variant="filled" style={{ marginInlineStart: 6, marginInlineEnd: 0, fontSize: 11, lineHeight: "16px", verticalAlign: 1 }}>
            {t("projects.new.styleDefault")}
          </Tag>
        )}
      </>
    ),
    visual: <PaletteScene palette={style.palette} />,
    extra: (
      <div className="projects-swatches" aria-hidden="true">
        {style.palette.map((colour) => (
          <span key={colour} style={{ background: colour }} />
        ))}
      </div>
    ),
    attrs: { "data-style": style.id },
  }));
  return (
    <CardRadioGroup
      id={id}
      value={value}
      onChange={onChange}
      choices={choices}
      label={t("projects.new.styleLabel")}
      span={SPAN}
      testId="style-option"
    />
  );
}
