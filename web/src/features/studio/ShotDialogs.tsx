/** The storyboard's dialogs: add a shot, split one, and make a shot's picture again with
 * chosen options. */
import { useQuery } from "@tanstack/react-query";
import { Alert, Button, Collapse, Form, Input, InputNumber, Select, Slider, Space, Typography } from "antd";
import { useMemo, useState } from "react";
import { api, unwrap } from "../../api/client";
import { queryKeys } from "../../api/queries";
import { CAMERA_MOTIONS, LIMITS, SHOT_TYPES, type CameraMotion, type ShotType } from "../../api/schema-constants.gen";
import { useT } from "../../i18n";
import { imageBody, newShotBody, randomSeed, type ImageOptions } from "./editor/shots";
import { codePoints, defaultSplit, snapToWord, splitPreview, pauseSuggestions, splitSuggestions } from "./editor/split";
import type { Shot } from "./editor/types";
import type { NewShot } from "./api";
import { Pill } from "./Pill";
import { StudioModal, type DialogProps } from "./StudioModal";
import type { Schemas } from "../../api/client";

// --- add ------------------------------------------------------------------------------------

interface AddFields {
  narration: string;
  visual_prompt: string;
  shot_type: ShotType;
  camera_motion: CameraMotion;
  position: number;
}

export function AddShotModal({
  shots,
  position,
  pending,
  error,
  onSubmit,
  onClose,
}: {
  shots: Shot[];
  /** Where the dialog starts (0-based); the end by default. */
  position: number;
} & DialogProps<NewShot>) {
  const t = useT();
  const [form] = Form.useForm<AddFields>();
  const positions = [
    { value: 0, label: t("studio.add.atStart") },
    ...shots.map((_, i) => ({ value: i + 1, label: i + 1 === shots.length ? t("studio.add.atEnd") : t("studio.add.after", { n: i + 1 }) })),
  ];
  return (
    <StudioModal
      title={t("studio.add.title")}
      okText={t("studio.add.submit")}
      okTestId="add-shot-submit"
      pending={pending}
      error={error}
      onOk={() => form.submit()}
      onClose={onClose}
    >
      <Form<AddFields>
        form={form}
        layout="vertical"
        requiredMark={false}
        initialValues={{ shot_type: "medium", camera_motion: "zoom_in", position, narration: "", visual_prompt: "" }}
        onFinish={(v) => onSubmit(newShotBody(v, shots))}
      >
        <Form.Item
          name="narration"
          label={t("studio.shot.narration")}
          extra={t("studio.add.narrationHint")}
          rules={[{ required: true, whitespace: true, message: t("studio.add.narrationRequired") }, { max: LIMITS.ShotIn.narration.maxLength }]}
        >
          <Input.TextArea autoSize={{ minRows: 2, maxRows: 6 }} maxLength={LIMITS.ShotIn.narration.maxLength} data-testid="add-shot-narration" />
        </Form.Item>
        <Form.Item
          name="visual_prompt"
          label={t("studio.shot.prompt")}
          extra={t("studio.add.promptHint")}
          rules={[{ required: true, whitespace: true, message: t("studio.add.promptRequired") }, { max: LIMITS.ShotIn.visual_prompt.maxLength }]}
        >
          <Input.TextArea autoSize={{ minRows: 2, maxRows: 6 }} maxLength={LIMITS.ShotIn.visual_prompt.maxLength} data-testid="add-shot-prompt" />
        </Form.Item>
        <Space wrap size={16} style={{ width: "100%" }}>
          <Form.Item name="shot_type" label={t("studio.add.type")} style={{ minWidth: 140 }}>
            <Select options={SHOT_TYPES.map((v) => ({ value: v, label: t(`studio.shotType.${v}`) }))} />
          </Form.Item>
          <Form.Item name="camera_motion" label={t("studio.add.motion")} style={{ minWidth: 140 }}>
            <Select options={CAMERA_MOTIONS.map((v) => ({ value: v, label: t(`studio.motion.${v}`) }))} />
          </Form.Item>
          <Form.Item name="position" label={t("studio.add.position")} style={{ minWidth: 180 }}>
            <Select options={positions} />
          </Form.Item>
        </Space>
      </Form>
    </StudioModal>
  );
}

// --- split ----------------------------------------------------------------------------------

export function SplitShotModal({
  shot,
  number,
  pending,
  error,
  onSubmit,
  onClose,
}: {
  shot: Shot;
  number: number;
} & DialogProps<number>) {
  const t = useT();
  const text = shot.narration;
  const length = codePoints(text).length;
  const sentences = useMemo(() => splitSuggestions(text), [text]);
  const pauses = useMemo(() => pauseSuggestions(text), [text]);
  const byPause = sentences.length === 0;
  const suggestions = byPause ? pauses : sentences;
  const [at, setAt] = useState(() => defaultSplit(text));
  const preview = splitPreview(text, at);
  const chars = codePoints(text);
  const tooShort = length < 2;

  return (
    <StudioModal
      title={t("studio.split.title", { n: number })}
      okText={t("studio.split.submit")}
      okTestId="split-submit"
      okDisabled={!preview.ok}
      pending={pending}
      error={error}
      onOk={() => preview.ok && onSubmit(at)}
      onClose={onClose}
      width={640}
    >
      <Typography.Paragraph type="secondary">{t("studio.split.help")}</Typography.Paragraph>
      {tooShort ? (
        <Alert type="info" showIcon title={t("studio.split.tooShort")} />
      ) : (
        <>
          {suggestions.length > 0 && (
            <div style={{ marginBottom: 12 }}>
              <Typography.Text strong id="split-suggestions">
                {byPause ? t("studio.split.suggestedClause") : t("studio.split.suggested")}
              </Typography.Text>
              <div role="group" aria-labelledby="split-suggestions" style={{ display: "flex", flexWrap: "wrap", gap: 6, marginTop: 6 }}>
                {suggestions.map((s, i) => (
                  <Button key={s} size="small" type={s === at ? "primary" : "default"} aria-pressed={s === at} onClick={() => setAt(s)}>
                    {byPause ? t("studio.split.afterClause", { n: i + 1 }) : t("studio.split.afterSentence", { n: i + 1 })}
                  </Button>
                ))}
              </div>
            </div>
          )}
          <Typography.Text strong id="split-point-label">
            {t("studio.split.point")}
          </Typography.Text>
          <Slider
            min={1}
            max={length - 1}
            value={at}
            onChange={(v: number) => {
              const snapped = snapToWord(text, v, v > at ? 1 : -1);
              setAt(snapped > 0 && snapped !== at ? snapped : v);
            }}
            tooltip={{ formatter: null }}
            ariaLabelledByForHandle="split-point-label"
            ariaValueTextFormatterForHandle={(v) => t("studio.split.valueText", { n: v ?? 0, total: length })}
            data-testid="split-slider"
            style={{ margin: "12px 8px 16px" }}
          />
          <div className="studio-split-text" aria-hidden>
            <span>{chars.slice(0, at).join("")}</span>
            <span className="studio-split-mark">✂</span>
            <span style={{ color: "rgba(0,0,0,0.45)" }}>{chars.slice(at).join("")}</span>
          </div>
          <div className="studio-split-preview">
            <div>
              <Pill tone="purple">{t("studio.split.keeps", { n: number })}</Pill>
              <Typography.Paragraph style={{ margin: "6px 0 0" }} data-testid="split-head">
                {preview.head || "—"}
              </Typography.Paragraph>
            </div>
            <div>
              <Pill tone="blue">{t("studio.split.new", { n: number + 1 })}</Pill>
              <Typography.Paragraph style={{ margin: "6px 0 0" }} data-testid="split-tail">
                {preview.tail || "—"}
              </Typography.Paragraph>
            </div>
          </div>
          {!preview.ok && (
            <Alert
              type="warning"
              showIcon
              style={{ marginTop: 12 }}
              title={preview.reason === "empty" ? t("studio.split.needsWords") : t("studio.split.range")}
            />
          )}
          <Typography.Paragraph type="secondary" style={{ marginTop: 12, marginBottom: 0, fontSize: 12 }}>
            {t("studio.split.after")}
          </Typography.Paragraph>
        </>
      )}
    </StudioModal>
  );
}

// --- picture options ------------------------------------------------------------------------

interface LastImageParams {
  provider?: string;
  model?: string;
  seed?: number;
  steps?: number | null;
  guidance?: number | null;
}

function lastParams(task: Schemas["TaskOut"] | undefined): LastImageParams | null {
  const params = task?.result?.params;
  return params && typeof params === "object" ? (params as LastImageParams) : null;
}

export function ImageOptionsModal({
  shot,
  number,
  pending,
  error,
  onSubmit,
  onClose,
}: {
  shot: Shot;
  number: number;
} & DialogProps<Schemas["ImageIn"]>) {
  const t = useT();
  const [form] = Form.useForm<ImageOptions>();
  const taskId = shot.tasks.image?.id;
  // What the current picture was made with, to start from.
  const last = useQuery({
    queryKey: queryKeys.task(taskId ?? ""),
    queryFn: () => unwrap(api.GET("/api/v1/tasks/{task_id}", { params: { path: { task_id: taskId ?? "" } } })),
    enabled: !!taskId,
    staleTime: 30_000,
  });
  const used = lastParams(last.data);

  return (
    <StudioModal
      title={t("studio.image.title", { n: number })}
      okText={t("studio.image.submit")}
      okTestId="image-options-submit"
      pending={pending}
      error={error}
      onOk={() => form.submit()}
      onClose={onClose}
    >
      <Typography.Paragraph type="secondary">{t("studio.image.help")}</Typography.Paragraph>
      {used && (
        <Typography.Paragraph style={{ fontSize: 13 }} data-testid="image-last-params">
          {t("studio.image.last", {
            provider: used.provider ?? "—",
            model: used.model ?? "—",
            seed: used.seed ?? "—",
          })}
        </Typography.Paragraph>
      )}
      <Form<ImageOptions> form={form} layout="vertical" onFinish={(v) => onSubmit(imageBody(v))} requiredMark={false}>
        <Collapse
          size="small"
          items={[
            {
              key: "advanced",
              label: t("studio.image.advanced"),
              forceRender: true,
              children: (
                <>
                  <Form.Item label={t("studio.image.seed")} extra={t("studio.image.seedHint")}>
                    <Space.Compact style={{ width: "100%" }}>
                      <Form.Item name="seed" noStyle>
                        <InputNumber
                          min={LIMITS.ImageIn.seed.minimum}
                          max={LIMITS.ImageIn.seed.maximum}
                          precision={0}
                          style={{ width: "100%" }}
                          placeholder={used?.seed !== undefined ? String(used.seed) : undefined}
                          aria-label={t("studio.image.seed")}
                          data-testid="image-seed"
                        />
                      </Form.Item>
                      <Button onClick={() => form.setFieldValue("seed", randomSeed())}>{t("studio.image.randomSeed")}</Button>
                    </Space.Compact>
                  </Form.Item>
                  <Space wrap size={16}>
                    <Form.Item name="steps" label={t("studio.image.steps")}>
                      <InputNumber min={LIMITS.ImageIn.steps.minimum} max={LIMITS.ImageIn.steps.maximum} precision={0} placeholder={used?.steps ? String(used.steps) : t("studio.image.default")} data-testid="image-steps" />
                    </Form.Item>
                    <Form.Item name="guidance" label={t("studio.image.guidance")}>
                      <InputNumber min={LIMITS.ImageIn.guidance.minimum} max={LIMITS.ImageIn.guidance.maximum} step={0.5} placeholder={used?.guidance ? String(used.guidance) : t("studio.image.default")} />
                    </Form.Item>
                  </Space>
                  <Form.Item name="model" label={t("studio.image.model")} extra={t("studio.image.modelHint")} style={{ marginBottom: 0 }}>
                    <Input maxLength={LIMITS.ImageIn.model.maxLength} placeholder={used?.model ?? t("studio.image.default")} data-testid="image-model" />
                  </Form.Item>
                </>
              ),
            },
          ]}
        />
      </Form>
    </StudioModal>
  );
}
