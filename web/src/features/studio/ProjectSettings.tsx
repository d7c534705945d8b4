/** The project's settings: style, aspect, voice and its speed, music, the default render
 * quality, bilingual subtitles (a translated project's), its budget and (under Advanced) its
 * own provider routes. Saving says what will be made again; the server's field errors show on
 * the fields. */
import { Alert, App, Button, Collapse, Drawer, Form, InputNumber, Segmented, Select, Space, Switch, Typography } from "antd";
import { useMemo } from "react";
import { errorMessage } from "../../api/client";
import { ASPECTS, LIMITS, QUALITIES, type Aspect, type Quality } from "../../api/schema-constants.gen";
import { useI18n, useT } from "../../i18n";
import { useDrawerSize } from "../../lib/useDrawerSize";
import { applyFieldErrors } from "../../lib/fieldErrors";
import { useMyRouting, useProviderCatalog } from "../providers/api";
import { RoutingFields } from "../providers/RoutingFields";
import { ROUTING_FIELD_PATHS, overridden, routingPayload } from "../providers/routing";
import { useMusicMoods, useStyles, useVoices } from "../../api/queries";
import { useUpdateProject } from "./api";
import { offersBilingual, settingsChanges, settingsOf, type SettingsValues } from "./editor/settings";
import type { Project, StudioKey } from "./editor/types";

const ASPECT_LABELS: Record<Aspect, StudioKey> = {
  "16:9": "studio.settings.landscape",
  "9:16": "studio.settings.portrait",
  "1:1": "studio.settings.square",
};
const QUALITY_LABELS: Record<Quality, StudioKey> = { final: "studio.render.qualityFinal", preview: "studio.render.qualityPreview" };

/** The fields the server's 422s may name (`routing.image.providers`, `budget`, …). */
const FIELDS = ["style", "aspect", "voice", "voice_rate", "music", "quality", "bilingual_subtitles", "budget", ...ROUTING_FIELD_PATHS];

export function ProjectSettings({ project, open, onClose }: { project: Project; open: boolean; onClose: () => void }) {
  const t = useT();
  const { lang } = useI18n();
  const { message } = App.useApp();
  const drawerSize = useDrawerSize(420, "sm");
  const [form] = Form.useForm<SettingsValues>();
  const update = useUpdateProject(project.id);
  const styles = useStyles();
  const voices = useVoices(open);
  const moods = useMusicMoods(open);
  const catalog = useProviderCatalog(open);
  const accountRouting = useMyRouting(open);
  const initial = useMemo(() => settingsOf(project), [project]);
  const values = Form.useWatch([], form) as SettingsValues | undefined;
  const { effects } = settingsChanges(initial, { ...initial, ...(values ?? {}) });
  const routedCount = overridden(routingPayload(initial.routing)).length;
  // Only a translated project's shots have a second language to show.
  const bilingual = offersBilingual(project);
  const rerenders = effects.filter((e) => e !== "video");

  const styleOptions = (styles.data ?? [{ id: project.style, label: project.style, label_zh: project.style }]).map((s) => ({
    value: s.id,
    label: lang === "zh" ? s.label_zh : s.label,
  }));
  const voiceOptions = [
    { value: "auto", label: t("studio.settings.voiceAuto") },
    ...(voices.data?.voices ?? []).map((v) => ({ value: v.id, label: `${v.label} (${v.id})` })),
  ];
  if (!voiceOptions.some((o) => o.value === project.voice)) voiceOptions.push({ value: project.voice, label: project.voice });
  const moodOptions = moods.data
    ? moods.data.map((m) => ({ value: m.id, label: lang === "zh" ? m.label_zh : m.label }))
    : [
        { value: "auto", label: t("studio.settings.musicAuto") },
        { value: "none", label: t("studio.settings.musicNone") },
      ];
  if (!moodOptions.some((o) => o.value === initial.music)) moodOptions.push({ value: initial.music, label: initial.music });

  const save = (v: SettingsValues) => {
    const { patch } = settingsChanges(initial, v);
    if (Object.keys(patch).length === 0) {
      onClose();
      return;
    }
    update.mutate(patch, {
      onSuccess: () => {
        void message.success(t("studio.settings.saved"));
        onClose();
      },
      onError: (e) => applyFieldErrors(form, e, FIELDS),
    });
  };

  return (
    <Drawer
      open={open}
      onClose={onClose}
      title={t("studio.settings.title")}
      size={drawerSize}
      destroyOnHidden
      className="studio-modal"
      // The last save's error is cleared once the drawer has closed, never as it opens: the
      // open animation can end after a quick Save was clicked, and a reset then would drop that
      // save's callbacks (no "saved" message, the drawer left open).
      afterOpenChange={(visible) => {
        if (!visible) update.reset();
      }}
      footer={
        <Space style={{ width: "100%", justifyContent: "flex-end" }}>
          <Button onClick={onClose}>{t("common.cancel")}</Button>
          <Button type="primary" loading={update.isPending} onClick={() => form.submit()} data-testid="settings-save">
            {t("common.save")}
          </Button>
        </Space>
      }
    >
      {update.error ? <Alert type="error" showIcon title={errorMessage(update.error)} style={{ marginBottom: 16 }} role="alert" /> : null}
      <Form<SettingsValues> form={form} layout="vertical" initialValues={initial} onFinish={save} requiredMark={false}>
        <Form.Item name="style" label={t("studio.settings.style")}>
          <Select options={styleOptions} loading={styles.isLoading} data-testid="settings-style" />
        </Form.Item>
        <Form.Item name="aspect" label={t("studio.settings.aspect")}>
          {/* A radio group: the label's `for` cannot name it, and antd's own name is English. */}
          <Segmented
            aria-label={t("studio.settings.aspect")}
            options={ASPECTS.map((value) => ({ value, label: t(ASPECT_LABELS[value]) }))}
          />
        </Form.Item>
        <Form.Item name="voice" label={t("studio.settings.voice")} extra={voices.error ? errorMessage(voices.error) : undefined}>
          <Select showSearch={{ optionFilterProp: "label" }} options={voiceOptions} loading={voices.isLoading} data-testid="settings-voice" />
        </Form.Item>
        <Form.Item name="voice_rate" label={t("studio.settings.rate")} extra={t("studio.settings.rateHint")}>
          <InputNumber min={LIMITS.ProjectPatch.voice_rate.minimum} max={LIMITS.ProjectPatch.voice_rate.maximum} step={0.05} style={{ width: 140 }} suffix="×" />
        </Form.Item>
        <Form.Item name="music" label={t("studio.settings.music")} extra={moods.error ? errorMessage(moods.error) : undefined}>
          <Select options={moodOptions} loading={moods.isLoading} data-testid="settings-music" />
        </Form.Item>
        <Form.Item name="quality" label={t("studio.settings.quality")} extra={t("studio.settings.qualityHint")}>
          <Segmented
            aria-label={t("studio.settings.quality")}
            options={QUALITIES.map((value) => ({ value, label: t(QUALITY_LABELS[value]) }))}
          />
        </Form.Item>
        {bilingual && (
          <Form.Item name="bilingual_subtitles" label={t("studio.settings.bilingual")} extra={t("studio.settings.bilingualHint")} valuePropName="checked">
            <Switch aria-label={t("studio.settings.bilingual")} data-testid="settings-bilingual" />
          </Form.Item>
        )}
        <Form.Item name="budget" label={t("studio.settings.budget")} extra={t("studio.settings.budgetHint")}>
          <InputNumber<number>
            min={LIMITS.ProjectPatch.budget.minimum}
            max={LIMITS.ProjectPatch.budget.maximum}
            step={0.5}
            style={{ width: 200, maxWidth: "100%" }}
            placeholder={t("studio.settings.budgetPlaceholder")}
            suffix={catalog.data?.currency}
            data-testid="settings-budget"
          />
        </Form.Item>
        <Collapse
          size="small"
          defaultActiveKey={routedCount > 0 ? ["providers"] : []}
          items={[
            {
              key: "providers",
              label: routedCount > 0 ? `${t("studio.settings.providers")} · ${t("studio.settings.providersOverridden", { n: routedCount })}` : t("studio.settings.providers"),
              forceRender: true,
              children: (
                <>
                  <Typography.Paragraph type="secondary" style={{ fontSize: 13 }}>
                    {t("studio.settings.providersHint")}
                  </Typography.Paragraph>
                  <RoutingFields follows="account" current={accountRouting.data?.effective} currentIs="account" idPrefix="project-route" />
                </>
              ),
            },
          ]}
          data-testid="settings-providers"
        />
      </Form>
      {effects.length > 0 && (
        <Alert
          type="info"
          showIcon
          data-testid="settings-effects"
          title={
            rerenders.length > 0
              ? t("studio.settings.effects", {
                  what: rerenders.map((e) => t(`studio.settings.effect.${e}`)).join(lang === "zh" ? "、" : ", "),
                })
              : t("studio.settings.effectsRender")
          }
        />
      )}
      <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginTop: 12 }}>
        {t("studio.settings.note")}
      </Typography.Paragraph>
    </Drawer>
  );
}
