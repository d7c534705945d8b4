import { FileTextOutlined } from "@ant-design/icons";
import { Alert, Card, Descriptions, Flex, Tag, Typography } from "antd";
import type { ReactNode } from "react";
import { useMusicMoods, useStyles } from "../../api/queries";
import { CardTitle } from "../../components/CardTitle";
import { useI18n } from "../../i18n";
import type { MessageKey } from "../../i18n/catalog";
import type { Conversation } from "./api";
import { groupIssues, lengthLabel } from "./brief";

function Muted({ children }: { children: ReactNode }) {
  return <Typography.Text type="secondary">{children}</Typography.Text>;
}

/** The brief the conversation has built: what the film is, who is in it, what is still open
 * (contradictions, missing things with their questions, values assumed) and the story's
 * steps from the template. */
export function BriefCard({ conversation }: { conversation: Conversation }) {
  const { t, lang } = useI18n();
  const styles = useStyles();
  const music = useMusicMoods();
  const { brief, plan } = conversation;
  const issues = groupIssues(conversation.issues);

  const notSet = <Muted>{t("assistant.notSet")}</Muted>;
  const byDefault = (assumed: boolean) => (assumed ? <Muted> {t("assistant.byDefault")}</Muted> : null);
  const style = styles.data?.find((s) => s.id === plan.style);
  const mood = music.data?.find((m) => m.id === plan.music);
  const place = [brief.setting, brief.era, brief.time_of_day].filter((p): p is string => Boolean(p));

  const items = [
    {
      key: "genre",
      label: t("assistant.genre"),
      children: <span data-testid="brief-genre">{lang === "zh" ? plan.template.title_zh : plan.template.title}</span>,
    },
    {
      key: "length",
      label: t("assistant.length"),
      children: (
        <span data-testid="brief-length" data-seconds={plan.length_s}>
          {lengthLabel(t, plan.length_s)}
          {byDefault(brief.length_s == null)}
        </span>
      ),
    },
    {
      key: "style",
      label: t("assistant.style"),
      children: (
        <span data-testid="brief-style">
          {style ? (lang === "zh" ? style.label_zh : style.label) : plan.style}
          {byDefault(!brief.style)}
        </span>
      ),
    },
    {
      key: "aspect",
      label: t("assistant.aspect"),
      children: (
        <span data-testid="brief-aspect" data-aspect={plan.aspect}>
          {t(`assistant.aspect.${plan.aspect}` as MessageKey)}
          {byDefault(!brief.aspect)}
        </span>
      ),
    },
    {
      key: "audience",
      label: t("assistant.audience"),
      children: brief.audience ? <span data-testid="brief-audience">{t(`assistant.audience.${brief.audience}` as MessageKey)}</span> : notSet,
    },
    {
      key: "moods",
      label: t("assistant.moods"),
      children: plan.moods.length ? (
        <Flex wrap gap={4} data-testid="brief-moods">
          {plan.moods.map((m) => (
            <Tag key={m} style={{ marginInlineEnd: 0 }}>
              {m}
            </Tag>
          ))}
          {byDefault(brief.moods.length === 0)}
        </Flex>
      ) : (
        notSet
      ),
    },
    {
      key: "music",
      label: t("assistant.music"),
      children: <span>{mood ? (lang === "zh" ? mood.label_zh : mood.label) : plan.music}</span>,
    },
    {
      key: "characters",
      label: t("assistant.characters"),
      children: brief.characters.length ? (
        <ul className="assistant-plain-list" data-testid="brief-characters">
          {brief.characters.map((c) => (
            <li key={c.name} data-testid="brief-character" data-role={c.role}>
              <Typography.Text strong={c.role === "lead"}>{c.name}</Typography.Text>
              {c.role === "lead" && (
                <Tag color="purple" style={{ marginInlineStart: 6 }}>
                  {t("assistant.lead")}
                </Tag>
              )}
              {c.description && <Muted> — {c.description}</Muted>}
            </li>
          ))}
        </ul>
      ) : (
        notSet
      ),
    },
    {
      key: "place",
      label: t("assistant.place"),
      children: place.length ? <span data-testid="brief-place">{place.join(" · ")}</span> : notSet,
    },
    { key: "goal", label: t("assistant.goal"), children: brief.goal ? <span data-testid="brief-goal">{brief.goal}</span> : notSet },
    ...(brief.notes.length
      ? [
          {
            key: "notes",
            label: t("assistant.notes"),
            children: (
              <ul className="assistant-plain-list" data-testid="brief-notes">
                {brief.notes.map((n) => (
                  <li key={n}>{n}</li>
                ))}
              </ul>
            ),
          },
        ]
      : []),
  ];

  const open = issues.contradictions.length + issues.missing.length + issues.assumed.length > 0;

  return (
    <Card title={<CardTitle icon={<FileTextOutlined />}>{t("assistant.brief")}</CardTitle>} data-testid="assistant-brief">
      <Flex vertical gap={16}>
        <Descriptions column={1} size="small" items={items} styles={{ label: { width: 132 } }} />

        {open && (
          <section aria-labelledby="assistant-issues" data-testid="brief-issues">
            <Typography.Title level={3} id="assistant-issues" className="assistant-subtitle">
              {t("assistant.issues")}
            </Typography.Title>
            <Flex vertical gap={8}>
              {issues.contradictions.map((i) => (
                <Alert
                  key={`c-${i.field}-${i.message}`}
                  type="warning"
                  showIcon
                  data-testid="issue"
                  data-kind="contradiction"
                  title={i.message}
                  description={i.question ?? undefined}
                />
              ))}
              {issues.missing.map((i) => (
                <Alert
                  key={`m-${i.field}-${i.message}`}
                  type="info"
                  showIcon
                  data-testid="issue"
                  data-kind="missing"
                  title={i.message}
                  description={i.question ?? undefined}
                />
              ))}
              {issues.assumed.length > 0 && (
                <div data-testid="issues-assumed">
                  <Muted>{t("assistant.assumed")}:</Muted>
                  <ul className="assistant-muted-list">
                    {issues.assumed.map((i) => (
                      <li key={`a-${i.field}-${i.message}`} data-testid="issue" data-kind="assumed">
                        <Muted>{i.message}</Muted>
                      </li>
                    ))}
                  </ul>
                </div>
              )}
            </Flex>
          </section>
        )}

        {plan.beats.length > 0 && (
          <section aria-labelledby="assistant-beats">
            <Typography.Title level={3} id="assistant-beats" className="assistant-subtitle">
              {t("assistant.beats")}
            </Typography.Title>
            <ol className="assistant-beats" data-testid="brief-beats">
              {plan.beats.map((b, n) => (
                <li key={`${n}-${b}`}>{b}</li>
              ))}
            </ol>
          </section>
        )}
      </Flex>
    </Card>
  );
}
