import { MessageOutlined, RobotOutlined, SendOutlined, UserOutlined } from "@ant-design/icons";
import { Alert, Button, Card, Flex, Form, Input, Tag, Typography } from "antd";
import { useEffect, useId, useRef, type KeyboardEvent } from "react";
import { errorMessage } from "../../api/client";
import { CardTitle } from "../../components/CardTitle";
import { useT } from "../../i18n";
import { fieldErrors } from "../../lib/fieldErrors";
import { MAX_MESSAGE, type Template, type Turn } from "./api";

interface Props {
  turns: readonly Turn[];
  /** The message on its way, shown at once with the assistant "thinking" after it. */
  pending: string | null;
  draft: string;
  onDraft: (text: string) => void;
  onSend: (text: string) => void;
  error: unknown;
  /** No conversation yet: example ideas instead of quick refinements. */
  first: boolean;
  /** A viewer's account: nothing can be sent. */
  disabled: boolean;
  templates?: readonly Template[];
  lang: "zh" | "en";
}

function Bubble({ turn, pending }: { turn: Turn; pending?: boolean }) {
  const t = useT();
  const user = turn.speaker === "user";
  return (
    <li className={`assistant-turn assistant-turn-${turn.speaker}`} data-testid="turn" data-speaker={turn.speaker} aria-busy={pending || undefined}>
      <span className="assistant-speaker">
        <span aria-hidden="true">{user ? <UserOutlined /> : <RobotOutlined />} </span>
        {user ? t("assistant.you") : t("assistant.assistant")}
      </span>
      <div className="assistant-bubble">{turn.text}</div>
      {turn.changes.length > 0 && (
        <Flex wrap gap={4} justify={user ? "flex-end" : "flex-start"} className="assistant-changes" aria-label={t("assistant.changes")} role="list">
          {turn.changes.map((c) => (
            <Tag key={c} color="purple" role="listitem" data-testid="turn-change" style={{ marginInlineEnd: 0 }}>
              {c}
            </Tag>
          ))}
        </Flex>
      )}
    </li>
  );
}

/** The conversation: the turns as bubbles (a person's with what it changed in the brief), a
 * box to write in (Enter sends, Shift+Enter a new line), example ideas to start with and quick
 * refinements after. */
export function ConversationPanel({ turns, pending, draft, onDraft, onSend, error, first, disabled, templates, lang }: Props) {
  const t = useT();
  const hintId = useId();
  const logRef = useRef<HTMLDivElement>(null);
  const count = turns.length + (pending ? 2 : 0);

  // The latest turn in view, as a chat does.
  useEffect(() => {
    const log = logRef.current;
    if (log) log.scrollTop = log.scrollHeight;
  }, [count]);

  const busy = pending !== null;
  const send = (text: string) => {
    if (!text.trim() || busy || disabled) return;
    onSend(text.trim());
  };
  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    // Enter in the middle of composing Chinese picks a word; it does not send.
    if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      send(draft);
    }
  };

  const inField = fieldErrors(error, ["message"]).flatMap((f) => f.errors);
  const chips = first
    ? [t("assistant.example1"), t("assistant.example2")]
    : [t("assistant.refineDarker"), t("assistant.refineShorter"), t("assistant.refineVertical")];
  const kinds = [...new Set((templates ?? []).map((x) => (lang === "zh" ? x.title_zh : x.title)))];

  return (
    <Card title={<CardTitle icon={<MessageOutlined />}>{t("assistant.chat")}</CardTitle>} data-testid="assistant-chat">
      <Flex vertical gap={16}>
        {first && !busy && (
          <div className="assistant-intro">
            <Typography.Title level={3} className="assistant-subtitle">
              {t("assistant.introTitle")}
            </Typography.Title>
            <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
              {t("assistant.introText")}
            </Typography.Paragraph>
            {kinds.length > 0 && (
              <Typography.Paragraph type="secondary" style={{ margin: "8px 0 0", fontSize: 13 }} data-testid="assistant-kinds">
                {t("assistant.templates", { list: kinds.join(lang === "zh" ? "、" : ", ") })}
              </Typography.Paragraph>
            )}
          </div>
        )}

        {count > 0 && (
          <div className="assistant-log" ref={logRef} role="log" aria-label={t("assistant.log")} aria-live="polite" tabIndex={0} data-testid="assistant-log">
            <ol className="assistant-turns">
              {turns.map((turn, n) => (
                <Bubble key={n} turn={turn} />
              ))}
              {pending !== null && (
                <>
                  <Bubble turn={{ speaker: "user", text: pending, changes: [] }} pending />
                  <Bubble turn={{ speaker: "assistant", text: t("assistant.thinking"), changes: [] }} pending />
                </>
              )}
            </ol>
          </div>
        )}

        <div>
          <Typography.Text type="secondary" style={{ fontSize: 13 }} id={`${hintId}-chips`}>
            {first ? t("assistant.tryThese") : t("assistant.refine")}
          </Typography.Text>
          <Flex wrap gap={8} style={{ marginTop: 6 }} role="group" aria-labelledby={`${hintId}-chips`}>
            {chips.map((c) => (
              <Button
                key={c}
                size="small"
                shape="round"
                onClick={() => send(c)}
                disabled={busy || disabled}
                data-testid={first ? "assistant-example" : "assistant-refine"}
                className="assistant-chip"
              >
                {c}
              </Button>
            ))}
          </Flex>
        </div>

        {error !== null && error !== undefined && inField.length === 0 && (
          <Alert type="error" showIcon role="alert" title={t("assistant.sendError")} description={errorMessage(error)} data-testid="send-error" />
        )}

        <Form
          layout="vertical"
          onFinish={() => send(draft)}
          disabled={disabled}
          className="assistant-composer"
        >
          <Form.Item
            label={t("assistant.inputLabel")}
            htmlFor={`${hintId}-input`}
            validateStatus={inField.length ? "error" : undefined}
            help={inField.length ? inField.join(" ") : undefined}
            extra={<span id={`${hintId}-hint`}>{t("assistant.inputHint")}</span>}
            style={{ marginBottom: 0 }}
          >
            <Flex gap={8} align="flex-end">
              <Input.TextArea
                id={`${hintId}-input`}
                value={draft}
                onChange={(e) => onDraft(e.target.value)}
                onKeyDown={onKeyDown}
                placeholder={first ? t("assistant.inputPlaceholderFirst") : t("assistant.inputPlaceholder")}
                autoSize={{ minRows: first ? 3 : 2, maxRows: 8 }}
                maxLength={MAX_MESSAGE}
                aria-describedby={`${hintId}-hint`}
                style={{ flex: 1 }}
                readOnly={busy}
                data-testid="assistant-input"
              />
              <Button
                type="primary"
                htmlType="submit"
                icon={<SendOutlined />}
                loading={busy}
                disabled={!draft.trim() || disabled}
                data-testid="assistant-send"
              >
                {t("assistant.send")}
              </Button>
            </Flex>
          </Form.Item>
        </Form>
      </Flex>
    </Card>
  );
}
