import { EditOutlined, ReadOutlined, RocketOutlined, SaveOutlined } from "@ant-design/icons";
import { Alert, App, Button, Card, Flex, Form, Input, Tooltip, Typography } from "antd";
import { useId } from "react";
import { Link, useNavigate } from "react-router-dom";
import { errorMessage } from "../../api/client";
import { CardTitle } from "../../components/CardTitle";
import { useI18n } from "../../i18n";
import { applyFieldErrors, fieldErrors } from "../../lib/fieldErrors";
import { formatNumber } from "../../lib/format";
import { MAX_SCRIPT, MAX_SCRIPT_TITLE, useMakeProject, useSaveScript, useWriteScript, type Conversation } from "./api";

interface Fields {
  title: string;
  text: string;
}

const FIELDS = ["title", "text"];

/** The script: written by the LLM from the brief (when one is configured here; otherwise the
 * button says why not), or the person's own, typed or pasted and saved; then "Make the video"
 * makes a project of it with the brief's settings and opens its studio page. */
export function ScriptCard({ conversation, readOnly }: { conversation: Conversation; readOnly: boolean }) {
  const { t, lang } = useI18n();
  const { message, modal } = App.useApp();
  const navigate = useNavigate();
  const reasonId = useId();
  const [form] = Form.useForm<Fields>();
  const write = useWriteScript(conversation.id);
  const save = useSaveScript(conversation.id);
  const make = useMakeProject(conversation.id);

  const saved = conversation.script;
  const text: string = Form.useWatch("text", form) ?? saved?.text ?? "";
  const title: string = Form.useWatch("title", form) ?? saved?.title ?? "";
  const dirty = text !== (saved?.text ?? "") || title.trim() !== (saved?.title ?? "");
  const writing = conversation.script_writing;
  const busy = write.isPending || save.isPending || make.isPending;

  const writeScript = () => {
    const go = () =>
      write.mutate(undefined, {
        onSuccess: (c) => {
          form.setFieldsValue({ title: c.script?.title ?? "", text: c.script?.text ?? "" });
          message.success(t("assistant.written"));
        },
      });
    if (text.trim() && dirty) {
      modal.confirm({
        title: t("assistant.replaceTitle"),
        content: t("assistant.replaceText"),
        okText: t("assistant.replace"),
        cancelText: t("common.cancel"),
        onOk: go,
      });
      return;
    }
    go();
  };

  /** Saves the form's script; false when it was not saved (its errors are shown). */
  const saveScript = async (): Promise<boolean> => {
    let values: Fields;
    try {
      values = await form.validateFields();
    } catch {
      return false;
    }
    const named = values.title?.trim();
    try {
      await save.mutateAsync({ title: named ? named : null, text: values.text });
    } catch (error) {
      applyFieldErrors(form, error, FIELDS);
      return false;
    }
    message.success(t("assistant.saved"));
    return true;
  };

  const makeVideo = async () => {
    if (dirty && !(await saveScript())) return;
    make.mutate(
      { auto: true },
      {
        onSuccess: (project) => {
          message.success(t("assistant.made", { title: project.title }));
          navigate(`/projects/${project.id}`);
        },
      },
    );
  };

  const writeButton = (
    <Button
      icon={<EditOutlined />}
      type={writing.available && !saved ? "primary" : "default"}
      disabled={!writing.available || readOnly || (busy && !write.isPending)}
      loading={write.isPending}
      onClick={writeScript}
      aria-describedby={writing.available ? undefined : reasonId}
      data-testid="write-script"
    >
      {t("assistant.writeScript")}
    </Button>
  );

  // A save refused for a reason no field names is said above the buttons.
  const saveProblem = save.error && fieldErrors(save.error, FIELDS).length === 0 ? save.error : null;

  return (
    <Card title={<CardTitle icon={<ReadOutlined />}>{t("assistant.script")}</CardTitle>} data-testid="assistant-script">
      <Flex vertical gap={12}>
        <Typography.Text type="secondary">{t("assistant.scriptIntro")}</Typography.Text>
        <div>
          {writing.available ? writeButton : <Tooltip title={writing.reason}>{writeButton}</Tooltip>}
          {!writing.available && (
            <Typography.Paragraph type="secondary" id={reasonId} className="assistant-reason" data-testid="write-unavailable">
              {t("assistant.writeUnavailable", { reason: writing.reason ?? t("assistant.writeUnavailableShort") })}
            </Typography.Paragraph>
          )}
        </div>
        {write.error && (
          <Alert type="error" showIcon role="alert" title={t("assistant.writeError")} description={errorMessage(write.error)} data-testid="write-error" />
        )}

        <Form<Fields>
          form={form}
          layout="vertical"
          requiredMark={false}
          disabled={readOnly || busy}
          initialValues={{ title: saved?.title ?? "", text: saved?.text ?? "" }}
          onValuesChange={() => {
            if (save.isError) save.reset();
            if (make.isError) make.reset();
          }}
        >
          <Form.Item
            name="title"
            label={t("assistant.scriptTitle")}
            rules={[{ max: MAX_SCRIPT_TITLE }]}
          >
            <Input placeholder={t("assistant.scriptTitlePlaceholder")} maxLength={MAX_SCRIPT_TITLE} data-testid="script-title" />
          </Form.Item>
          <Form.Item
            name="text"
            label={t("assistant.scriptText")}
            rules={[{ required: true, whitespace: true, message: t("assistant.scriptRequired") }]}
            extra={
              <Flex justify="space-between" gap={8} wrap>
                <Typography.Text type="secondary" style={{ fontSize: 13 }}>
                  {t("assistant.chars", { n: formatNumber(Array.from(text).length, lang) })}
                </Typography.Text>
                {dirty && saved && (
                  <Typography.Text type="warning" style={{ fontSize: 13 }} data-testid="script-unsaved">
                    {t("assistant.unsaved")}
                  </Typography.Text>
                )}
              </Flex>
            }
            style={{ marginBottom: 0 }}
          >
            <Input.TextArea
              placeholder={t("assistant.scriptPlaceholder")}
              autoSize={{ minRows: 6, maxRows: 20 }}
              maxLength={MAX_SCRIPT}
              spellCheck
              data-testid="script-input"
            />
          </Form.Item>
        </Form>

        {saveProblem && (
          <Alert type="error" showIcon role="alert" title={t("assistant.saveError")} description={errorMessage(saveProblem)} data-testid="save-error" />
        )}
        {make.error && (
          <Alert type="error" showIcon role="alert" title={t("assistant.makeError")} description={errorMessage(make.error)} data-testid="make-error" />
        )}
        {conversation.project_id && (
          <Alert
            type="success"
            showIcon
            title={t("assistant.projectMade")}
            action={<Link to={`/projects/${conversation.project_id}`}>{t("assistant.openProject")}</Link>}
            data-testid="project-made"
          />
        )}

        <Flex gap={12} wrap>
          <Button
            icon={<SaveOutlined />}
            onClick={() => void saveScript()}
            loading={save.isPending && !make.isPending}
            disabled={readOnly || !dirty || !text.trim() || (busy && !save.isPending)}
            data-testid="save-script"
          >
            {t("assistant.saveScript")}
          </Button>
          {saved && (
            <Button
              type="primary"
              icon={<RocketOutlined />}
              onClick={() => void makeVideo()}
              loading={make.isPending}
              disabled={readOnly || !text.trim() || (busy && !make.isPending)}
              data-testid="make-video"
            >
              {t("assistant.makeVideo")}
            </Button>
          )}
        </Flex>
        {saved && (
          <Typography.Text type="secondary" style={{ fontSize: 13 }}>
            {t("assistant.makeVideoHint")}
          </Typography.Text>
        )}
      </Flex>
    </Card>
  );
}
