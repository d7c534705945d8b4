/** One shot of the storyboard: its picture (or the picture being made), number, type, motion,
 * length, narration, prompt (with the score of the prompt its picture was drawn from) and
 * characters, each editable in place, and its actions. */
import {
  ArrowDownOutlined,
  ArrowUpOutlined,
  DeleteOutlined,
  ExclamationCircleOutlined,
  HolderOutlined,
  MoreOutlined,
  PictureOutlined,
  PlusOutlined,
  ReloadOutlined,
  ScissorOutlined,
  SettingOutlined,
  SoundOutlined,
  SyncOutlined,
} from "@ant-design/icons";
import { useSortable } from "@dnd-kit/sortable";
import { CSS } from "@dnd-kit/utilities";
import { Button, Card, Dropdown, Progress, Select, Space, Tag, Tooltip, Typography } from "antd";
import { memo, useCallback, useId } from "react";
import { CAMERA_MOTIONS, LIMITS, SHOT_TYPES, type CameraMotion, type ShotType } from "../../api/schema-constants.gen";
import { useT } from "../../i18n";
import { shotSeconds } from "./editor/shots";
import { isActive, isBroken } from "./editor/status";
import type { Character, Shot, ShotPatch, TaskState } from "./editor/types";
import { InlineText } from "./InlineText";
import { Pill } from "./Pill";
import { PromptScore } from "./PromptScore";
import { assetUrl, forgetAsset } from "./media";
import type { ShotStep } from "./api";

export interface ShotActions {
  /** `toast`: say so when it fails (the inline editors show failures themselves). */
  patch: (shotId: string, patch: ShotPatch, toast?: boolean) => Promise<Shot>;
  regenerate: (shotId: string, steps: ShotStep[]) => void;
  imageOptions: (shot: Shot) => void;
  split: (shot: Shot) => void;
  insertAfter: (shot: Shot) => void;
  remove: (shot: Shot) => void;
  move: (shotId: string, delta: number) => void;
}

interface Props {
  shot: Shot;
  index: number;
  total: number;
  aspect: string;
  characters: Character[];
  canEdit: boolean;
  /** Shared with the user to watch: no editing controls at all. */
  readOnly: boolean;
  wide: boolean;
  actions: ShotActions;
}

/** The CSS aspect ratio and the picture column's width for the project's aspect. */
function frame(aspect: string, wide: boolean): { ratio: string; width: string | number } {
  if (!wide) return { ratio: aspect === "9:16" ? "9 / 16" : aspect === "1:1" ? "1 / 1" : "16 / 9", width: aspect === "9:16" ? "60%" : "100%" };
  if (aspect === "9:16") return { ratio: "9 / 16", width: 170 };
  if (aspect === "1:1") return { ratio: "1 / 1", width: 240 };
  return { ratio: "16 / 9", width: 300 };
}

function StepOverlay({ task, label }: { task: TaskState; label: string }) {
  const t = useT();
  const running = task.status === "running";
  return (
    <div
      className="studio-shot-overlay"
      data-testid="shot-image-progress"
      data-status={task.status}
      role="status"
      aria-label={label}
    >
      {running ? (
        <Progress
          type="circle"
          size={56}
          percent={Math.round(task.progress)}
          strokeColor="#fff"
          railColor="rgba(255,255,255,0.3)"
          aria-label={label}
          format={(p) => <span style={{ color: "#fff" }}>{p}%</span>}
        />
      ) : (
        <SyncOutlined aria-hidden spin style={{ fontSize: 28, color: "#fff" }} />
      )}
      <span style={{ color: "#fff", fontSize: 13, marginTop: 8 }}>{running ? t("studio.shot.drawing") : t("studio.shot.waiting")}</span>
    </div>
  );
}

function ShotCardInner({ shot, index, total, aspect, characters, canEdit, readOnly, wide, actions }: Props) {
  const t = useT();
  const n = index + 1;
  const selectId = useId();
  const { attributes, listeners, setNodeRef, setActivatorNodeRef, transform, transition, isDragging } = useSortable({
    id: shot.id,
    disabled: !canEdit,
  });
  const { ratio, width } = frame(aspect, wide);
  const imageTask = shot.tasks.image;
  const voiceTask = shot.tasks.voice;
  const drawing = isActive(imageTask?.status);
  const speaking = isActive(voiceTask?.status);
  const imageFailed = isBroken(imageTask?.status);
  const voiceFailed = isBroken(voiceTask?.status);

  const saveNarration = useCallback(
    (value: string) => actions.patch(shot.id, { narration: value }).then((s) => s.narration),
    [actions, shot.id],
  );
  const savePrompt = useCallback(
    (value: string) => actions.patch(shot.id, { visual_prompt: value }).then((s) => s.visual_prompt),
    [actions, shot.id],
  );

  const menuItems = [
    { key: "up", icon: <ArrowUpOutlined />, label: t("studio.shot.moveUp"), disabled: !canEdit || index === 0 },
    { key: "down", icon: <ArrowDownOutlined />, label: t("studio.shot.moveDown"), disabled: !canEdit || index === total - 1 },
    { type: "divider" as const },
    { key: "imageOptions", icon: <SettingOutlined />, label: t("studio.shot.imageOptions"), disabled: !canEdit },
    { key: "voice", icon: <SoundOutlined />, label: t("studio.shot.regenerateVoice"), disabled: !canEdit },
    { key: "both", icon: <ReloadOutlined />, label: t("studio.shot.regenerateBoth"), disabled: !canEdit },
    { type: "divider" as const },
    { key: "insert", icon: <PlusOutlined />, label: t("studio.shot.insertAfter"), disabled: !canEdit },
    { key: "split", icon: <ScissorOutlined />, label: t("studio.shot.split"), disabled: !canEdit },
    { type: "divider" as const },
    { key: "delete", icon: <DeleteOutlined />, label: t("studio.shot.delete"), danger: true, disabled: !canEdit },
  ];
  const onMenu = ({ key }: { key: string }) => {
    if (key === "up") actions.move(shot.id, -1);
    else if (key === "down") actions.move(shot.id, 1);
    else if (key === "imageOptions") actions.imageOptions(shot);
    else if (key === "voice") actions.regenerate(shot.id, ["voice"]);
    else if (key === "both") actions.regenerate(shot.id, ["image", "voice"]);
    else if (key === "insert") actions.insertAfter(shot);
    else if (key === "split") actions.split(shot);
    else if (key === "delete") actions.remove(shot);
  };

  const characterOptions = characters.map((c) => ({
    value: c.key,
    label: (
      <span>
        <span aria-hidden style={{ display: "inline-block", width: 8, height: 8, borderRadius: 4, background: c.color, marginRight: 6 }} />
        {c.name}
      </span>
    ),
    title: c.name,
  }));
  // Keys of characters since deleted are not shown as raw ids.
  const known = new Set(characters.map((c) => c.key));
  const tagged = shot.characters.filter((k) => known.has(k));

  return (
    <li
      ref={setNodeRef}
      style={{
        transform: CSS.Translate.toString(transform),
        transition,
        listStyle: "none",
        position: "relative",
        zIndex: isDragging ? 2 : undefined,
      }}
    >
      <Card
        data-testid="shot-card"
        data-shot-id={shot.id}
        data-position={shot.position}
        size="small"
        className={isDragging ? "studio-shot studio-shot-dragging" : "studio-shot"}
        styles={{ body: { padding: wide ? 16 : 12 } }}
        aria-label={t("studio.shot.label", { n })}
        role="group"
      >
        <div className="studio-shot-head">
          {canEdit && (
            <Tooltip title={t("studio.shot.dragHint")}>
              <Button
                ref={setActivatorNodeRef}
                type="text"
                size="small"
                icon={<HolderOutlined />}
                className="studio-drag-handle"
                data-testid="shot-drag-handle"
                {...attributes}
                {...listeners}
                aria-label={t("studio.shot.drag", { n })}
                aria-roledescription={t("studio.dnd.role")}
              />
            </Tooltip>
          )}
          <Typography.Title level={3} style={{ margin: 0, fontSize: 15, whiteSpace: "nowrap" }} data-testid="shot-number">
            {t("studio.shot.number", { n })}
          </Typography.Title>
          <Select
            size="small"
            value={shot.shot_type}
            disabled={!canEdit}
            aria-label={t("studio.shot.typeLabel", { n })}
            data-testid="shot-type"
            popupMatchSelectWidth={false}
            options={SHOT_TYPES.map((v) => ({ value: v, label: t(`studio.shotType.${v}`) }))}
            onChange={(v) => void actions.patch(shot.id, { shot_type: v as ShotType }, true).catch(() => undefined)}
            style={{ minWidth: 100 }}
          />
          <Select
            size="small"
            value={shot.camera_motion}
            disabled={!canEdit}
            aria-label={t("studio.shot.motionLabel", { n })}
            data-testid="shot-motion"
            popupMatchSelectWidth={false}
            options={CAMERA_MOTIONS.map((v) => ({ value: v, label: t(`studio.motion.${v}`) }))}
            onChange={(v) => void actions.patch(shot.id, { camera_motion: v as CameraMotion }, true).catch(() => undefined)}
            style={{ minWidth: 110 }}
          />
          <Tooltip title={shot.voice_seconds !== null ? t("studio.shot.durationVoice") : t("studio.shot.durationHint")}>
            <Tag variant="filled" data-testid="shot-duration" style={{ marginInlineEnd: 0 }}>
              {t("studio.shot.seconds", { s: shotSeconds(shot).toFixed(1) })}
            </Tag>
          </Tooltip>
          <div style={{ flex: 1 }} />
          {!readOnly && (
            <Dropdown menu={{ items: menuItems, onClick: onMenu }} trigger={["click"]} placement="bottomRight">
              <Button type="text" size="small" icon={<MoreOutlined />} aria-label={t("studio.shot.more", { n })} data-testid="shot-menu" />
            </Dropdown>
          )}
        </div>

        <div className="studio-shot-body" style={{ flexDirection: wide ? "row" : "column" }}>
          <div style={{ width, maxWidth: "100%", flex: "none", alignSelf: wide ? "flex-start" : "center" }}>
            <div className="studio-shot-media" style={{ aspectRatio: ratio }}>
              {shot.image ? (
                <img
                  data-testid="shot-image"
                  src={assetUrl(shot.image)}
                  alt={t("studio.shot.imageAlt", { n })}
                  loading="lazy"
                  onError={() => shot.image && forgetAsset(shot.image.id)}
                />
              ) : (
                !drawing && (
                  <div className="studio-shot-placeholder">
                    <PictureOutlined aria-hidden style={{ fontSize: 28 }} />
                    <span>{imageFailed ? t("studio.shot.imageFailed") : t("studio.shot.noImage")}</span>
                  </div>
                )
              )}
              {drawing && imageTask && <StepOverlay task={imageTask} label={t("studio.shot.drawingLabel", { n })} />}
              {!drawing && imageFailed && shot.image && (
                <Pill tone="red" icon={<ExclamationCircleOutlined />} style={{ position: "absolute", left: 8, top: 8 }}>
                  {t("studio.shot.imageFailed")}
                </Pill>
              )}
            </div>
            {!readOnly && (
              <Space size={6} wrap style={{ marginTop: 8 }}>
                <Button
                  size="small"
                  icon={<ReloadOutlined />}
                  disabled={!canEdit}
                  loading={drawing}
                  data-testid="shot-regenerate-image"
                  aria-label={t("studio.shot.regenerateImageLabel", { n })}
                  onClick={() => actions.regenerate(shot.id, ["image"])}
                >
                  {t("studio.shot.regenerateImage")}
                </Button>
                <Button
                  size="small"
                  icon={<SoundOutlined />}
                  disabled={!canEdit}
                  loading={speaking}
                  data-testid="shot-regenerate-voice"
                  aria-label={t("studio.shot.regenerateVoiceLabel", { n })}
                  onClick={() => actions.regenerate(shot.id, ["voice"])}
                >
                  {t("studio.shot.regenerateVoiceShort")}
                </Button>
              </Space>
            )}
            <div style={{ marginTop: 8 }}>
              {shot.voice && !speaking ? (
                <audio
                  controls
                  preload="none"
                  src={assetUrl(shot.voice)}
                  aria-label={t("studio.shot.listen", { n })}
                  data-testid="shot-audio"
                  style={{ width: "100%", height: 36 }}
                  onError={() => shot.voice && forgetAsset(shot.voice.id)}
                />
              ) : (
                <Typography.Text type={voiceFailed ? "danger" : "secondary"} style={{ fontSize: 12 }}>
                  {speaking ? (
                    <>
                      <SyncOutlined aria-hidden spin /> {t("studio.shot.speaking")}
                    </>
                  ) : voiceFailed ? (
                    t("studio.shot.voiceFailed")
                  ) : (
                    t("studio.shot.noVoice")
                  )}
                </Typography.Text>
              )}
            </div>
          </div>

          <div style={{ flex: 1, minWidth: 0, display: "flex", flexDirection: "column", gap: 12 }}>
            <InlineText
              label={t("studio.shot.narration")}
              value={shot.narration}
              max={LIMITS.ShotPatch.narration.maxLength}
              onSave={saveNarration}
              disabled={!canEdit}
              testId="shot-narration"
              minRows={2}
            />
            <InlineText
              label={t("studio.shot.prompt")}
              value={shot.visual_prompt}
              max={LIMITS.ShotPatch.visual_prompt.maxLength}
              onSave={savePrompt}
              disabled={!canEdit}
              testId="shot-prompt"
              minRows={2}
              maxRows={6}
              subtle
            />
            {shot.image_prompt && !drawing && <PromptScore prompt={shot.image_prompt} />}
            <div>
              <label htmlFor={selectId} style={{ fontWeight: 600, fontSize: 13, color: "rgba(0,0,0,0.72)", display: "block", marginBottom: 4 }}>
                {t("studio.shot.characters")}
              </label>
              <Select
                id={selectId}
                mode="multiple"
                value={tagged}
                disabled={!canEdit || characters.length === 0}
                placeholder={readOnly ? "—" : characters.length ? t("studio.shot.charactersPlaceholder") : t("studio.shot.charactersNone")}
                options={characterOptions}
                optionFilterProp="title"
                data-testid="shot-characters"
                style={{ width: "100%" }}
                variant="filled"
                onChange={(keys: string[]) => void actions.patch(shot.id, { characters: keys }, true).catch(() => undefined)}
              />
            </div>
          </div>
        </div>
      </Card>
    </li>
  );
}

export const ShotCard = memo(ShotCardInner);
