/** A text that is edited where it stands: saved when the field is left or on Ctrl+Enter
 * (⌘+Enter), Escape puts the saved text back, and a small line says what is happening. */
import { CheckOutlined, ExclamationCircleOutlined, LoadingOutlined } from "@ant-design/icons";
import { Button, Input, Space, Typography } from "antd";
import { useCallback, useEffect, useId, useReducer, useRef, type ReactNode } from "react";
import { errorMessage } from "../../api/client";
import { useT } from "../../i18n";
import { draftReducer, initialDraft, needsSave, saveOnLeave, validateText, type Draft } from "./editor/drafts";

export interface InlineTextProps {
  label: string;
  value: string;
  max: number;
  /** Save the text; resolves to the value the server kept. */
  onSave: (value: string) => Promise<string>;
  /** Shown but not editable (read-only access, or while the storyboard is rewritten). */
  disabled?: boolean;
  testId: string;
  minRows?: number;
  maxRows?: number;
  placeholder?: string;
  /** Smaller, secondary text (the picture prompt). */
  subtle?: boolean;
}

export function InlineText({ label, value, max, onSave, disabled, testId, minRows = 2, maxRows = 8, placeholder, subtle }: InlineTextProps) {
  const t = useT();
  const id = useId();
  const [draft, dispatch] = useReducer(draftReducer, value, initialDraft);
  const latest = useRef<Draft>(draft);
  const again = useRef(false);
  const saveRef = useRef<() => void>(() => undefined);
  const container = useRef<HTMLDivElement>(null);

  useEffect(() => {
    latest.current = draft;
  }, [draft]);

  useEffect(() => {
    dispatch({ type: "server", value });
  }, [value]);

  const save = useCallback(() => {
    const d = latest.current;
    if (d.status === "saving") {
      again.current = true; // typed on while saving: save that too when this one is done
      return;
    }
    if (!needsSave(d, max)) return;
    const sent = d.value;
    dispatch({ type: "save-start" });
    latest.current = { ...d, status: "saving", sent };
    onSave(sent).then(
      (kept) => {
        dispatch({ type: "save-ok", value: kept });
        if (again.current) {
          again.current = false;
          setTimeout(() => saveRef.current(), 0);
        }
      },
      (error: unknown) => {
        again.current = false;
        dispatch({ type: "save-fail", error: errorMessage(error) });
      },
    );
  }, [max, onSave]);

  useEffect(() => {
    saveRef.current = save;
  }, [save]);

  const problem = draft.value !== draft.base ? validateText(draft.value, max) : null;
  const statusId = `${id}-status`;

  let status: ReactNode = null;
  if (problem) {
    status = (
      <Typography.Text type="danger">
        <ExclamationCircleOutlined aria-hidden /> {problem === "empty" ? t("studio.inline.empty") : t("studio.inline.tooLong", { max })}
      </Typography.Text>
    );
  } else if (draft.status === "saving") {
    status = (
      <Typography.Text type="secondary">
        <LoadingOutlined aria-hidden /> {t("studio.inline.saving")}
      </Typography.Text>
    );
  } else if (draft.status === "saved") {
    status = (
      // Stays "saved" (data-state) until the next edit; the words fade after a moment.
      <Typography.Text type="success" className="studio-fade">
        <CheckOutlined aria-hidden /> {t("studio.inline.saved")}
      </Typography.Text>
    );
  } else if (draft.status === "dirty") {
    status = <Typography.Text type="secondary">{t("studio.inline.unsaved")}</Typography.Text>;
  } else if (draft.status === "error") {
    status = (
      <Space size={4} wrap>
        <Typography.Text type="danger" role="alert">
          <ExclamationCircleOutlined aria-hidden /> {t("studio.inline.failed", { message: draft.error ?? "" })}
        </Typography.Text>
        <Button size="small" type="link" onClick={save}>
          {t("studio.inline.tryAgain")}
        </Button>
        <Button size="small" type="link" onClick={() => dispatch({ type: "revert" })}>
          {t("studio.inline.undo")}
        </Button>
      </Space>
    );
  }

  return (
    <div className="studio-inline" ref={container}>
      <div style={{ display: "flex", alignItems: "baseline", gap: 8, flexWrap: "wrap", marginBottom: 4 }}>
        <label htmlFor={id} style={{ fontWeight: 600, fontSize: 13, color: "rgba(0,0,0,0.72)" }}>
          {label}
        </label>
        <span id={statusId} aria-live="polite" style={{ fontSize: 12 }} data-testid={`${testId}-state`} data-state={problem ? "invalid" : draft.status}>
          {status}
        </span>
      </div>
      <Input.TextArea
        id={id}
        data-testid={testId}
        value={draft.value}
        readOnly={disabled}
        placeholder={placeholder}
        autoSize={{ minRows, maxRows }}
        variant="filled"
        status={problem || draft.status === "error" ? "error" : undefined}
        className={disabled ? "studio-readonly" : undefined}
        aria-describedby={statusId}
        aria-invalid={problem ? true : undefined}
        style={subtle ? { fontSize: 13, color: "rgba(0,0,0,0.7)" } : { fontSize: 15 }}
        onChange={(e) => dispatch({ type: "edit", value: e.target.value })}
        onBlur={(e) => {
          // Focus moving to this field's own Try again / Undo buttons is not "leaving" it.
          if (e.relatedTarget instanceof Node && container.current?.contains(e.relatedTarget)) return;
          if (saveOnLeave(latest.current, max)) save();
        }}
        onKeyDown={(e) => {
          if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            save();
          } else if (e.key === "Escape" && latest.current.status !== "saving") {
            e.preventDefault();
            dispatch({ type: "revert" });
          }
        }}
      />
    </div>
  );
}
