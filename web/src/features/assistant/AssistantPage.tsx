import { HistoryOutlined, PlusOutlined } from "@ant-design/icons";
import { Alert, Breadcrumb, Button, Flex, Skeleton, Typography } from "antd";
import { useState } from "react";
import { Link, useNavigate, useParams } from "react-router-dom";
import { useMe } from "../../api/queries";
import { LinkButton } from "../../components/LinkButton";
import { QueryError } from "../../components/QueryError";
import { useI18n } from "../../i18n";
import { useConversation, useSendMessage, useStartConversation, useTemplates } from "./api";
import { BriefCard } from "./BriefCard";
import { ConversationPanel } from "./ConversationPanel";
import { HistoryDrawer } from "./HistoryDrawer";
import { ScriptCard } from "./ScriptCard";
import "./assistant.css";

/** One conversation (or none yet, at /assistant): the chat, the brief beside it and the
 * script under it. Keyed by the conversation, so opening another starts from a clean slate. */
function Workspace({ conversationId, readOnly }: { conversationId: string | undefined; readOnly: boolean }) {
  const { t, lang } = useI18n();
  const navigate = useNavigate();
  const [draft, setDraft] = useState("");
  const conversation = useConversation(conversationId);
  const start = useStartConversation();
  const send = useSendMessage(conversationId ?? "");
  const templates = useTemplates(!conversationId);
  const sending = conversationId ? send : start;

  const onDraft = (text: string) => {
    setDraft(text);
    if (sending.isError) sending.reset();
  };

  const onSend = (message: string) => {
    if (!conversationId) {
      start.mutate(message, {
        onSuccess: (c) => {
          setDraft("");
          navigate(`/assistant/${c.id}`);
        },
      });
      return;
    }
    send.mutate(message, { onSuccess: () => setDraft("") });
  };

  if (conversationId && conversation.isPending) return <Skeleton active paragraph={{ rows: 8 }} />;
  if (conversationId && conversation.isError)
    return (
      <QueryError
        error={conversation.error}
        onRetry={() => void conversation.refetch()}
        title={t("assistant.loadError")}
        retrying={conversation.isFetching}
      />
    );

  const current = conversation.data;
  const panel = (
    <ConversationPanel
      turns={current?.turns ?? []}
      pending={sending.isPending ? (sending.variables ?? "") : null}
      draft={draft}
      onDraft={onDraft}
      onSend={onSend}
      error={sending.error}
      first={!current}
      disabled={readOnly}
      templates={templates.data}
      lang={lang}
    />
  );

  if (!current) return <div className="assistant-grid assistant-grid-new">{panel}</div>;
  return (
    <div className="assistant-grid">
      <section className="assistant-area-chat" aria-label={t("assistant.chat")}>
        {panel}
      </section>
      <aside className="assistant-area-brief" aria-label={t("assistant.brief")}>
        <BriefCard conversation={current} />
      </aside>
      <section className="assistant-area-script" aria-label={t("assistant.script")}>
        <ScriptCard conversation={current} readOnly={readOnly} />
      </section>
    </div>
  );
}

/** "Start from an idea": a conversation with the assistant that turns an idea into a brief,
 * a plan and a script, and the script into a video (/assistant, /assistant/:conversationId). */
export default function AssistantPage() {
  const { t } = useI18n();
  const { conversationId } = useParams();
  const me = useMe();
  const [history, setHistory] = useState(false);
  const viewer = me.data?.role === "viewer";

  return (
    <Flex vertical gap={20} style={{ maxWidth: 1200, margin: "0 auto" }} data-testid="assistant-page">
      <nav aria-label={t("assistant.breadcrumb")}>
        <Breadcrumb
          items={[
            { title: <Link to="/projects">{t("projects.title")}</Link> },
            conversationId ? { title: <Link to="/assistant">{t("assistant.title")}</Link> } : { title: t("assistant.title") },
          ]}
        />
      </nav>
      <Flex justify="space-between" align="flex-start" wrap gap={12}>
        <div style={{ minWidth: 0, flex: "1 1 320px" }}>
          <Typography.Title level={1} style={{ fontSize: 26, margin: 0 }}>
            {t("assistant.title")}
          </Typography.Title>
          <Typography.Text type="secondary">{t("assistant.subtitle")}</Typography.Text>
        </div>
        <Flex gap={8} wrap>
          {conversationId && (
            <LinkButton to="/assistant" icon={<PlusOutlined />} data-testid="assistant-new">
              {t("assistant.newConversation")}
            </LinkButton>
          )}
          <Button icon={<HistoryOutlined />} onClick={() => setHistory(true)} data-testid="assistant-history-open">
            {t("assistant.history")}
          </Button>
        </Flex>
      </Flex>
      {viewer && <Alert type="info" showIcon title={t("assistant.viewerOnly")} />}
      <Workspace key={conversationId ?? "new"} conversationId={conversationId} readOnly={viewer} />
      <HistoryDrawer open={history} onClose={() => setHistory(false)} currentId={conversationId} />
    </Flex>
  );
}
