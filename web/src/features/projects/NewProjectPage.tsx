import { BulbOutlined, MessageOutlined, RocketOutlined, UnorderedListOutlined } from "@ant-design/icons";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import {
  Alert,
  App,
  Breadcrumb,
  Button,
  Card,
  Col,
  Collapse,
  Flex,
  Form,
  Grid,
  Input,
  Radio,
  Row,
  Select,
  Slider,
  Tooltip,
  Typography,
} from "antd";
import { useRef, useState, type ReactNode } from "react";
import { Link, useNavigate } from "react-router-dom";
import { ApiError, errorMessage, type Schemas } from "../../api/client";
import { queryKeys, useMe, useMusicMoods, useUsage } from "../../api/queries";
import { LinkButton } from "../../components/LinkButton";
import type { Quality } from "../../api/schema-constants.gen";
import { useI18n } from "../../i18n";
import { applyFieldErrors } from "../../lib/fieldErrors";
import { formatDuration, formatNumber } from "../../lib/format";
import { AspectPicker, type Aspect } from "./AspectPicker";
import { condensedMessage, condenseReason, narrationSeconds, parseCondensed, storyLimitOf, type CondenseInput } from "./condense";
import { CondenseOption } from "./CondenseOption";
import { DocumentSource, type LoadedDocument } from "./DocumentPicker";
import {
  chapterField,
  createProject,
  documentProblem,
  fits,
  initialSelection,
  selectionChars,
  selectionSample,
  selectionTitle,
  uploadProject,
  type Selection,
  type UploadFields,
} from "./documents";
import { charCount, guessLanguage, MAX_TITLE, titleFrom } from "./story";
import { StyleGallery } from "./StyleGallery";
import { VoicePicker } from "./VoicePicker";
import "./projects.css";

type Language = "auto" | "zh" | "en";

interface Fields {
  story: string;
  title: string;
  style: string;
  aspect: Aspect;
  language: Language;
  voice: string;
  music: string;
  length: string;
  voice_rate: number;
  quality: Quality;
}

const INITIAL: Fields = {
  story: "",
  title: "",
  style: "cinematic",
  aspect: "16:9",
  language: "auto",
  voice: "auto",
  music: "auto",
  length: "auto",
  voice_rate: 1,
  quality: "final",
};

const LENGTHS = [30, 60, 90, 120, 180];
const RATE_MARKS = Object.fromEntries(
  [0.5, 1, 1.5, 2].map((n) => [n, { label: `${n}×`, style: { whiteSpace: "nowrap" as const } }]),
);

/** The fields the server's messages can name (its `target_seconds` is this form's `length`). */
const FIELDS: (keyof Fields)[] = ["story", "title", "style", "aspect", "language", "voice", "voice_rate", "music", "length", "quality"];
const SERVER_NAMES = { target_seconds: "length" };

/** A project from story text, or by upload from a document's chosen chapters. */
type CreateRequest =
  | { kind: "text"; body: Schemas["ProjectIn"]; key: string }
  | { kind: "document"; file: File; chapter: string | null; fields: UploadFields; key: string };

function newKey(): string {
  if (typeof crypto !== "undefined" && typeof crypto.randomUUID === "function") return crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}-${Math.random().toString(36).slice(2)}`;
}

function Section({ title, extra, children }: { title: string; extra?: ReactNode; children: ReactNode }) {
  return (
    <Card
      title={
        <Typography.Title level={2} className="projects-section-title">
          {title}
        </Typography.Title>
      }
      extra={extra}
      styles={{ header: { flexWrap: "wrap", gap: 8 } }}
    >
      {children}
    </Card>
  );
}

/** A new project: the story (typed or pasted, or the chapters chosen of a dropped document,
 * condensed to fit when it is too long and the person asks), its style, format and sound;
 * "Make it" runs everything, "Storyboard only" stops for a review. */
function NewProject() {
  const { t, lang } = useI18n();
  const { message, modal } = App.useApp();
  const navigate = useNavigate();
  const client = useQueryClient();
  const screens = Grid.useBreakpoint();
  const phone = !screens.sm;
  const [form] = Form.useForm<Fields>();
  const usage = useUsage();
  const me = useMe();
  const viewer = me.data?.role === "viewer";
  const moods = useMusicMoods();
  const titleTouched = useRef(false);
  const lastAttempt = useRef<{ body: string; key: string } | null>(null);
  const [submitted, setSubmitted] = useState<boolean | null>(null);
  // A dropped document the server has read, and the chapters of it chosen.
  const [doc, setDoc] = useState<LoadedDocument | null>(null);
  const [selection, setSelection] = useState<Selection>(null);
  const [docChecked, setDocChecked] = useState(false);
  const docRef = useRef<HTMLDivElement>(null);
  // "Condense to fit", ticked; it is sent only while it is offered. A typed story's limit is
  // learned from the server's refusal of it.
  const [condense, setCondense] = useState(false);
  const [storyLimit, setStoryLimit] = useState<number | null>(null);

  const story = Form.useWatch("story", form) ?? "";
  const language = Form.useWatch("language", form) ?? "auto";
  const rate = Form.useWatch("voice_rate", form) ?? 1;
  const length = Form.useWatch("length", form) ?? "auto";
  const sample = doc ? selectionSample(doc.info, selection) : story;
  const voiceLanguage: "zh" | "en" = language !== "auto" ? language : sample.trim() ? guessLanguage(sample) : lang;

  // Condensing is offered when the chosen text is past the story limit or much longer than
  // the video, and for a document too long as a whole (condensed, it may be chosen whole).
  const targetSeconds = length === "auto" ? null : Number(length);
  const condenseInput: CondenseInput = doc
    ? { chars: selectionChars(doc.info, selection), sample, maxChars: doc.info.max_story_chars, targetSeconds }
    : { chars: charCount(story), sample: story, maxChars: storyLimit, targetSeconds };
  let condenseWhy = condenseReason(condenseInput);
  if (doc && !doc.info.fits_whole && condenseWhy === null) {
    condenseWhy = "limit";
    condenseInput.chars = doc.info.characters;
  }
  const condensing = condenseWhy !== null && condense;

  const create = useMutation({
    mutationFn: (request: CreateRequest) =>
      request.kind === "text" ? createProject(request.body, request.key) : uploadProject(request.file, request.chapter, request.fields, request.key),
    onSuccess: ({ project, condensed }) => {
      void client.invalidateQueries({ queryKey: queryKeys.projects() });
      void client.invalidateQueries({ queryKey: queryKeys.usage() });
      message.success(t("projects.new.created", { title: project.title }));
      const done = parseCondensed(condensed);
      if (done) void message.info({ content: <span data-testid="condensed-note">{condensedMessage(done, t, lang)}</span>, duration: 8 });
      navigate(`/projects/${project.id}`);
    },
    onError: (error, request) => {
      const limit = request.kind === "text" ? storyLimitOf(error) : null;
      if (limit !== null) setStoryLimit(limit);
      // A refusal of the document or its chapters is shown by the drop zone.
      if (request.kind === "document" && documentProblem(error, request.file.name)) {
        docRef.current?.scrollIntoView({ behavior: "smooth", block: "center" });
        return;
      }
      const fields = applyFieldErrors(form, error, FIELDS, SERVER_NAMES).map((f) => f.name);
      // Too long a story is refused before the fields are read.
      if (fields.length === 0 && error instanceof ApiError && error.status === 413) {
        form.setFields([{ name: "story", errors: [error.message] }]);
        fields.push(["story"]);
      }
      if (fields.length) form.scrollToField(fields[0], { behavior: "smooth", block: "center" });
    },
  });

  const setStory = (text: string, title: string) => {
    form.setFieldValue("story", text);
    form.setFields([{ name: "story", errors: [] }]);
    if (!titleTouched.current || !form.getFieldValue("title")) {
      titleTouched.current = false;
      form.setFieldValue("title", title);
    }
  };

  const fillExample = () => {
    const sample = t("projects.new.sampleStory");
    const fill = () => {
      setStory(sample, titleFrom(sample));
      message.info(t("projects.new.exampleLoaded"));
    };
    const current: string = form.getFieldValue("story") ?? "";
    if (!doc && (!current.trim() || current === sample)) {
      fill();
      return;
    }
    modal.confirm({
      title: t("projects.new.replaceTitle"),
      content: t("projects.new.replaceText"),
      okText: t("projects.new.replace"),
      cancelText: t("common.cancel"),
      onOk: () => {
        if (doc) removeDocument();
        fill();
      },
    });
  };

  /** A project title from the document's chosen part, unless the person wrote one. */
  const titleForDocument = (loaded: LoadedDocument, chosen: Selection) => {
    if (!titleTouched.current || !form.getFieldValue("title")) {
      titleTouched.current = false;
      form.setFieldValue("title", selectionTitle(loaded.info, chosen, loaded.file.name, MAX_TITLE));
    }
  };

  const loadDocument = (loaded: LoadedDocument) => {
    const chosen = initialSelection(loaded.info);
    if (create.isError) create.reset();
    setDoc(loaded);
    setSelection(chosen);
    setDocChecked(false);
    titleForDocument(loaded, chosen);
  };

  const chooseChapters = (chosen: Selection) => {
    if (create.isError) create.reset();
    setSelection(chosen);
    if (doc) titleForDocument(doc, chosen);
  };

  const removeDocument = () => {
    if (create.isError) create.reset();
    setDoc(null);
    setSelection(null);
    setDocChecked(false);
    if (!titleTouched.current) form.setFieldValue("title", titleFrom(form.getFieldValue("story") ?? ""));
  };

  const submit = async (auto: boolean) => {
    let values: Fields;
    try {
      values = await form.validateFields();
    } catch (failed) {
      const first = (failed as { errorFields?: { name: (string | number)[] }[] }).errorFields?.[0];
      if (first) form.scrollToField(first.name, { behavior: "smooth", block: "center" });
      return;
    }
    const title = values.title?.trim();
    const options = {
      title: title ? title : null,
      style: values.style,
      aspect: values.aspect,
      language: values.language,
      voice: values.voice,
      voice_rate: values.voice_rate,
      music: values.music,
      target_seconds: values.length === "auto" ? null : Number(values.length),
      max_shots: 60,
      seed: 0,
      quality: values.quality,
      bilingual_subtitles: false,
      condense: condensing,
      auto,
    } satisfies UploadFields;
    let request: CreateRequest;
    let fingerprint: string;
    if (doc) {
      setDocChecked(true);
      if (!fits(doc.info, selection, condensing)) {
        docRef.current?.scrollIntoView({ behavior: "smooth", block: "center" });
        return;
      }
      const chapter = chapterField(doc.info, selection);
      const { name, size, lastModified } = doc.file;
      fingerprint = JSON.stringify({ file: [name, size, lastModified], chapter, options });
      request = { kind: "document", file: doc.file, chapter, fields: options, key: "" };
    } else {
      const body: Schemas["ProjectIn"] = { story: values.story, ...options };
      fingerprint = JSON.stringify(body);
      request = { kind: "text", body, key: "" };
    }
    // The same request again (after a network failure) keeps its key: it is created once.
    const previous = lastAttempt.current;
    const retry =
      previous?.body === fingerprint && create.error instanceof ApiError && (create.error.status === 0 || create.error.status >= 500);
    const key = retry && previous ? previous.key : newKey();
    lastAttempt.current = { body: fingerprint, key };
    setSubmitted(auto);
    create.mutate({ ...request, key });
  };

  const quotas = usage.data?.quotas;
  const today = usage.data?.today;
  const maxDuration = quotas?.max_duration_s ?? null;
  const videosLeft = quotas?.videos_per_day == null || !today ? null : quotas.videos_per_day - today.videos;
  const imagesLeft = quotas?.images_per_day == null || !today ? null : quotas.images_per_day - today.images;

  const lengthOptions = [
    { value: "auto", label: t("projects.new.lengthAuto"), "data-testid": "length-option", "data-value": "auto" },
    ...LENGTHS.map((s) => {
      const over = maxDuration !== null && s > maxDuration;
      const text = s < 120 ? t("projects.new.lengthSeconds", { n: s }) : t("projects.new.lengthMinutes", { n: s / 60 });
      return {
        value: String(s),
        "data-testid": "length-option",
        "data-value": String(s),
        disabled: over,
        label: over ? `${text} (${t("projects.new.lengthOverLimit")}: ${formatDuration(maxDuration ?? 0)})` : text,
      };
    }),
  ];

  const musicOptions = (moods.data ?? [{ id: "auto", label: "", label_zh: "", description: "", description_zh: "" }]).map((m) => ({
    value: m.id,
    "data-testid": "music-option",
    "data-value": m.id,
    label: m.id === "auto" && !moods.data ? t("common.loading") : lang === "zh" ? m.label_zh : m.label,
    description: lang === "zh" ? m.description_zh : m.description,
  }));

  const pending = create.isPending;
  const count = charCount(story);

  return (
    <Flex vertical gap={20} style={{ maxWidth: 1040, margin: "0 auto" }}>
      <nav aria-label={t("projects.new.breadcrumb")}>
        <Breadcrumb items={[{ title: <Link to="/projects">{t("projects.title")}</Link> }, { title: t("projects.new.title") }]} />
      </nav>
      <Flex justify="space-between" align="flex-start" wrap gap={12}>
        <div style={{ minWidth: 0, flex: "1 1 320px" }}>
          <Typography.Title level={1} style={{ fontSize: 26, margin: 0 }}>
            {t("projects.new.title")}
          </Typography.Title>
          <Typography.Text type="secondary">{t("projects.new.subtitle")}</Typography.Text>
        </div>
        <Tooltip title={t("assistant.entryHint")}>
          <LinkButton to="/assistant" icon={<MessageOutlined />} data-testid="start-from-idea">
            {t("assistant.entry")}
          </LinkButton>
        </Tooltip>
      </Flex>

      <Form<Fields>
        form={form}
        layout="vertical"
        requiredMark={false}
        initialValues={INITIAL}
        disabled={pending}
        onValuesChange={(changed: Partial<Fields>) => {
          if (create.isError) create.reset();
          if ("title" in changed) titleTouched.current = true;
          if ("story" in changed && !titleTouched.current) form.setFieldValue("title", titleFrom(changed.story ?? ""));
        }}
      >
        <Flex vertical gap={20}>
          <Section
            title={t("projects.new.storySection")}
            extra={
              <Button icon={<BulbOutlined />} onClick={fillExample} data-testid="story-example">
                {t("projects.new.example")}
              </Button>
            }
          >
            {!doc && (
              <Form.Item
                name="story"
                label={t("projects.new.storyLabel")}
                rules={[{ required: true, whitespace: true, message: t("projects.new.storyRequired") }]}
                extra={
                  <Typography.Text type="secondary" style={{ fontSize: 13 }} aria-live="polite">
                    {t("projects.new.chars", { n: formatNumber(count, lang) })}
                  </Typography.Text>
                }
              >
                <Input.TextArea
                  className="projects-story"
                  placeholder={t("projects.new.storyPlaceholder")}
                  autoSize={{ minRows: phone ? 8 : 10, maxRows: 24 }}
                  data-testid="story-input"
                  spellCheck
                />
              </Form.Item>
            )}
            <div ref={docRef}>
              <DocumentSource
                doc={doc}
                selection={selection}
                onSelection={chooseChapters}
                onLoad={loadDocument}
                onRemove={removeDocument}
                uploadError={create.error}
                checked={docChecked}
                condense={condensing}
                disabled={pending}
              />
            </div>
            {condenseWhy && (
              <CondenseOption
                reason={condenseWhy}
                chars={condenseInput.chars}
                maxChars={condenseInput.maxChars}
                seconds={narrationSeconds(condenseInput)}
                checked={condense}
                onChange={(value) => {
                  if (create.isError) create.reset();
                  form.setFields([{ name: "story", errors: [] }]);
                  setCondense(value);
                }}
                disabled={pending}
              />
            )}
            <Form.Item
              name="title"
              label={t("projects.new.titleLabel")}
              rules={[{ max: MAX_TITLE, message: t("projects.new.titleTooLong", { n: MAX_TITLE }) }]}
              style={{ marginBottom: 0 }}
            >
              <Input placeholder={t("projects.new.titlePlaceholder")} maxLength={MAX_TITLE} data-testid="title-input" />
            </Form.Item>
          </Section>

          <Section title={t("projects.new.styleSection")}>
            <Form.Item name="style" label={t("projects.new.styleLabel")} style={{ marginBottom: 0 }}>
              <StyleGallery />
            </Form.Item>
          </Section>

          <Section title={t("projects.new.formatSection")}>
            <Form.Item name="aspect" label={t("projects.new.aspectLabel")}>
              <AspectPicker />
            </Form.Item>
            <Row gutter={[16, 0]}>
              <Col xs={24} md={12}>
                <Form.Item name="language" label={t("projects.new.languageLabel")}>
                  <Radio.Group
                    optionType="button"
                    buttonStyle="solid"
                    aria-label={t("projects.new.languageLabel")}
                    data-testid="language-select"
                    options={[
                      { value: "auto", label: t("projects.new.language.auto") },
                      { value: "zh", label: t("projects.new.language.zh") },
                      { value: "en", label: t("projects.new.language.en") },
                    ]}
                  />
                </Form.Item>
              </Col>
              <Col xs={24} md={12}>
                <Form.Item name="voice" label={t("projects.new.voiceLabel")}>
                  <VoicePicker language={voiceLanguage} rate={rate} />
                </Form.Item>
              </Col>
              <Col xs={24} md={12}>
                <Form.Item name="music" label={t("projects.new.musicLabel")}>
                  <Select
                    options={musicOptions}
                    loading={moods.isPending}
                    data-testid="music-select"
                    optionRender={(option) => (
                      <Flex vertical>
                        <span>{option.data.label}</span>
                        {option.data.description && (
                          <span style={{ fontSize: 12, color: "rgba(0,0,0,0.5)", whiteSpace: "normal" }}>{option.data.description}</span>
                        )}
                      </Flex>
                    )}
                  />
                </Form.Item>
                {moods.isError && (
                  <Alert
                    type="warning"
                    showIcon
                    style={{ marginTop: -12, marginBottom: 16 }}
                    title={t("projects.new.musicError", { message: errorMessage(moods.error) })}
                  />
                )}
              </Col>
              <Col xs={24} md={12}>
                <Form.Item name="length" label={t("projects.new.lengthLabel")}>
                  <Select options={lengthOptions} data-testid="length-select" />
                </Form.Item>
              </Col>
            </Row>
            <Collapse
              ghost
              size="small"
              style={{ marginInline: -12 }}
              items={[
                {
                  key: "more",
                  label: t("projects.new.advanced"),
                  forceRender: true,
                  children: (
                    <Row gutter={[16, 0]}>
                      <Col xs={24} md={12}>
                        <Form.Item name="voice_rate" label={t("projects.new.rateLabel")}>
                          <Slider
                            min={0.5}
                            max={2}
                            step={0.05}
                            marks={RATE_MARKS}
                            tooltip={{ formatter: (v) => t("projects.new.rateValue", { n: v ?? 1 }) }}
                            ariaLabelForHandle={t("projects.new.rateLabel")}
                            data-testid="rate-slider"
                          />
                        </Form.Item>
                      </Col>
                      <Col xs={24} md={12}>
                        <Form.Item name="quality" label={t("projects.new.qualityLabel")}>
                          <Radio.Group
                            aria-label={t("projects.new.qualityLabel")}
                            data-testid="quality-select"
                            options={[
                              { value: "final", label: t("projects.new.quality.final") },
                              { value: "preview", label: t("projects.new.quality.preview") },
                            ]}
                          />
                        </Form.Item>
                      </Col>
                    </Row>
                  ),
                },
              ]}
            />
          </Section>

          <Card>
            <Flex vertical gap={16}>
              {viewer && <Alert type="info" showIcon title={t("projects.new.viewerOnly")} />}
              {videosLeft !== null && videosLeft <= 0 && quotas?.videos_per_day != null && today && (
                <Alert type="warning" showIcon title={t("projects.new.videoQuota", { used: today.videos, limit: quotas.videos_per_day })} />
              )}
              {imagesLeft !== null && imagesLeft <= 0 && quotas?.images_per_day != null && today && (
                <Alert type="warning" showIcon title={t("projects.new.imageQuota", { used: today.images, limit: quotas.images_per_day })} />
              )}
              {create.error && !(doc && documentProblem(create.error, doc.file.name)) && (
                <Alert
                  type="error"
                  showIcon
                  role="alert"
                  title={t("projects.new.error")}
                  description={errorMessage(create.error)}
                  data-testid="create-error"
                />
              )}
              <Row gutter={[16, 16]}>
                <Col xs={24} sm={12}>
                  <Button
                    type="primary"
                    size="large"
                    block
                    icon={<RocketOutlined />}
                    onClick={() => void submit(true)}
                    loading={pending && submitted === true}
                    disabled={viewer || (pending && submitted !== true)}
                    data-testid="make-it"
                  >
                    {t("projects.new.makeIt")}
                  </Button>
                  <Typography.Paragraph type="secondary" style={{ fontSize: 13, margin: "6px 0 0" }}>
                    {t("projects.new.makeItHint")}
                  </Typography.Paragraph>
                </Col>
                <Col xs={24} sm={12}>
                  <Button
                    size="large"
                    block
                    icon={<UnorderedListOutlined />}
                    onClick={() => void submit(false)}
                    loading={pending && submitted === false}
                    disabled={viewer || (pending && submitted !== false)}
                    data-testid="storyboard-only"
                  >
                    {t("projects.new.storyboardOnly")}
                  </Button>
                  <Typography.Paragraph type="secondary" style={{ fontSize: 13, margin: "6px 0 0" }}>
                    {t("projects.new.storyboardOnlyHint")}
                  </Typography.Paragraph>
                </Col>
              </Row>
            </Flex>
          </Card>
        </Flex>
      </Form>
    </Flex>
  );
}

export default function NewProjectPage() {
  return (
    <>
      <NewProject />
    </>
  );
}
