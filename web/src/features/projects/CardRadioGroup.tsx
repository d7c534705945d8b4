import { CheckOutlined } from "@ant-design/icons";
import { Col, Row, type ColProps } from "antd";
import { useId, useRef, type KeyboardEvent, type ReactNode } from "react";
import "./projects.css";

export interface CardChoice<T extends string> {
  value: T;
  name: string;
  /** What the card shows as its name (default: `name`); it is the accessible name too. */
  label?: ReactNode;
  description?: string;
  /** The picture above the name. */
  visual: ReactNode;
  /** More below the description (hidden from the accessible name). */
  extra?: ReactNode;
  /** Extra attributes for the card (`data-*` for tests). */
  attrs?: Record<string, string>;
}

interface Props<T extends string> {
  id?: string;
  value?: T;
  onChange?: (value: T) => void;
  choices: CardChoice<T>[];
  label: string;
  span: ColProps;
  testId: string;
  disabled?: boolean;
  /** Tighter cards (for three in a row on a phone). */
  compact?: boolean;
}

/** A radio group drawn as cards: one tab stop, arrows move the choice, Space/Enter pick the
 * focused card (the WAI-ARIA radio group pattern). Works as an antd `Form.Item` control. */
export function CardRadioGroup<T extends string>({
  id,
  value,
  onChange,
  choices,
  label,
  span,
  testId,
  disabled,
  compact,
}: Props<T>) {
  const refs = useRef<(HTMLDivElement | null)[]>([]);
  const uid = useId();
  const selected = choices.findIndex((c) => c.value === value);
  const tabStop = selected >= 0 ? selected : 0;

  const pick = (index: number, focus: boolean) => {
    if (disabled) return;
    const choice = choices[index];
    if (!choice) return;
    onChange?.(choice.value);
    if (focus) refs.current[index]?.focus();
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>, index: number) => {
    const n = choices.length;
    let next: number | null = null;
    if (e.key === "ArrowRight" || e.key === "ArrowDown") next = (index + 1) % n;
    else if (e.key === "ArrowLeft" || e.key === "ArrowUp") next = (index - 1 + n) % n;
    else if (e.key === "Home") next = 0;
    else if (e.key === "End") next = n - 1;
    if (next !== null) {
      e.preventDefault();
      pick(next, true);
    } else if (e.key === " " || e.key === "Enter") {
      e.preventDefault();
      pick(index, false);
    }
  };

  return (
    <Row id={id} role="radiogroup" aria-label={label} aria-disabled={disabled || undefined} gutter={[12, 12]}>
      {choices.map((choice, index) => (
        <Col key={choice.value} {...span}>
          <div
            ref={(el) => {
              refs.current[index] = el;
            }}
            role="radio"
            aria-checked={index === selected}
            aria-labelledby={`${uid}-${index}-name`}
            aria-describedby={choice.description ? `${uid}-${index}-text` : undefined}
            tabIndex={index === tabStop ? 0 : -1}
            className={compact ? "projects-choice projects-choice-compact" : "projects-choice"}
            data-testid={testId}
            {...choice.attrs}
            onClick={() => pick(index, true)}
            onKeyDown={(e) => onKeyDown(e, index)}
          >
            {choice.visual}
            <div className="projects-choice-body">
              <div className="projects-choice-name" id={`${uid}-${index}-name`}>
                {choice.label ?? choice.name}
              </div>
              {choice.description && (
                <div className="projects-choice-text" id={`${uid}-${index}-text`}>
                  {choice.description}
                </div>
              )}
              {choice.extra}
            </div>
            <span className="projects-choice-check" aria-hidden="true">
              <CheckOutlined />
            </span>
          </div>
        </Col>
      ))}
    </Row>
  );
}
