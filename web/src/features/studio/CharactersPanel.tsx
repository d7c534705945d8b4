/** The project's characters: who they are, how they look (a description and a reference
 * picture), their colour; shots name them to keep them alike from picture to picture. */
import { DeleteOutlined, EditOutlined, PlusOutlined, TeamOutlined, UploadOutlined } from "@ant-design/icons";
import { App, Avatar, Button, Card, Empty, Form, Input, Space, Typography, Upload } from "antd";
import { useState } from "react";
import { errorMessage } from "../../api/client";
import { LIMITS } from "../../api/schema-constants.gen";
import { CardTitle } from "../../components/CardTitle";
import { ConfirmDelete } from "../../components/ConfirmDelete";
import { useT } from "../../i18n";
import { useDeleteCharacter, useSaveCharacter, useUploadReference, type CharacterFields } from "./api";
import type { Permissions } from "./editor/permissions";
import type { Character, Project } from "./editor/types";
import { assetUrl } from "./media";
import { StudioModal, type DialogProps } from "./StudioModal";

const PALETTE = ["#e4572e", "#17bebb", "#ffc914", "#76b041", "#5b3df5", "#db3a97", "#2e86ab", "#8c6d46"];
const IMAGE_TYPES = "image/png,image/jpeg,image/webp";

function CharacterForm({
  character,
  index,
  pending,
  error,
  onSubmit,
  onClose,
}: {
  character: Character | null;
  index: number;
} & DialogProps<CharacterFields>) {
  const t = useT();
  const [form] = Form.useForm<CharacterFields>();
  return (
    <StudioModal
      title={character ? t("studio.chars.editTitle", { name: character.name }) : t("studio.chars.addTitle")}
      okText={character ? t("common.save") : t("common.create")}
      okTestId="character-submit"
      pending={pending}
      error={error}
      onOk={() => form.submit()}
      onClose={onClose}
    >
      {character && (
        <Typography.Paragraph type="secondary" style={{ fontSize: 13 }}>
          {t("studio.chars.editHint")}
        </Typography.Paragraph>
      )}
      <Form<CharacterFields>
        form={form}
        layout="vertical"
        requiredMark={false}
        initialValues={{
          name: character?.name ?? "",
          description: character?.description ?? "",
          color: character?.color ?? PALETTE[index % PALETTE.length],
        }}
        onFinish={(v) => onSubmit({ name: v.name.trim(), description: v.description.trim(), color: v.color.toLowerCase() })}
      >
        <Form.Item name="name" label={t("studio.chars.name")} rules={[{ required: true, whitespace: true, message: t("studio.chars.nameRequired") }]}>
          <Input maxLength={LIMITS.CharacterIn.name.maxLength} data-testid="character-name" />
        </Form.Item>
        <Form.Item name="description" label={t("studio.chars.description")} extra={t("studio.chars.descriptionHint")}>
          <Input.TextArea autoSize={{ minRows: 2, maxRows: 5 }} maxLength={LIMITS.CharacterIn.description.maxLength} data-testid="character-description" />
        </Form.Item>
        <Form.Item name="color" label={t("studio.chars.color")} extra={t("studio.chars.colorHint")}>
          <Input type="color" style={{ width: 72, height: 36, padding: 2 }} data-testid="character-color" />
        </Form.Item>
      </Form>
    </StudioModal>
  );
}

export function CharactersPanel({ project, perms }: { project: Project; perms: Permissions }) {
  const t = useT();
  const { message } = App.useApp();
  const save = useSaveCharacter(project.id);
  const remove = useDeleteCharacter(project.id);
  const upload = useUploadReference(project.id);
  const [editing, setEditing] = useState<Character | "new" | null>(null);
  const [uploading, setUploading] = useState<string | null>(null);
  const characters = project.characters;
  const shotsNaming = (key: string) => project.shots.filter((s) => s.characters.includes(key)).length;

  const open = (c: Character | "new") => {
    save.reset();
    setEditing(c);
  };

  return (
    <Card
      size="small"
      data-testid="characters-panel"
      title={<CardTitle icon={<TeamOutlined />}>{t("studio.chars.title")}</CardTitle>}
      extra={
        perms.canEdit && (
          <Button size="small" icon={<PlusOutlined />} onClick={() => open("new")} data-testid="character-add">
            {t("studio.chars.add")}
          </Button>
        )
      }
    >
      {characters.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={perms.reason === "readOnly" ? t("studio.chars.emptyReadOnly") : t("studio.chars.empty")} style={{ margin: "8px 0" }} />
      ) : (
        <ul className="studio-chars">
          {characters.map((c) => {
            const n = shotsNaming(c.key);
            return (
              <li key={c.id} data-testid="character-item" data-character-key={c.key}>
                <div className="studio-char-avatar">
                  {c.reference ? (
                    <Avatar src={assetUrl(c.reference)} alt={t("studio.chars.referenceAlt", { name: c.name })} size={48} style={{ border: `3px solid ${c.color}` }} />
                  ) : (
                    <Avatar size={48} style={{ background: c.color, color: "#fff", fontWeight: 600 }} aria-hidden>
                      {c.name.slice(0, 1).toUpperCase()}
                    </Avatar>
                  )}
                </div>
                <div style={{ flex: 1, minWidth: 0 }}>
                  <Typography.Text strong data-testid="character-name-text" style={{ display: "block" }}>
                    {c.name}
                  </Typography.Text>
                  <Typography.Paragraph ellipsis={{ rows: 2, tooltip: c.description }} type="secondary" style={{ marginBottom: 2, fontSize: 13 }}>
                    {c.description || t("studio.chars.noDescription")}
                  </Typography.Paragraph>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {t("studio.chars.inShots", { n })}
                  </Typography.Text>
                </div>
                {perms.canEdit && (
                  <Space size={2} wrap>
                    <Upload
                      accept={IMAGE_TYPES}
                      showUploadList={false}
                      customRequest={({ file }) => {
                        setUploading(c.id);
                        upload.mutate(
                          { id: c.id, file: file as File },
                          {
                            onSuccess: () => void message.success(t("studio.chars.referenceDone", { name: c.name })),
                            onError: (e) => void message.error(errorMessage(e)),
                            onSettled: () => setUploading(null),
                          },
                        );
                      }}
                    >
                      <Button
                        size="small"
                        type="text"
                        icon={<UploadOutlined />}
                        loading={uploading === c.id}
                        aria-label={t("studio.chars.reference", { name: c.name })}
                        title={t("studio.chars.reference", { name: c.name })}
                        data-testid="character-reference"
                      />
                    </Upload>
                    <Button
                      size="small"
                      type="text"
                      icon={<EditOutlined />}
                      onClick={() => open(c)}
                      aria-label={t("studio.chars.edit", { name: c.name })}
                      title={t("studio.chars.edit", { name: c.name })}
                      data-testid="character-edit"
                    />
                    <ConfirmDelete
                      title={t("studio.chars.deleteTitle", { name: c.name })}
                      description={n ? t("studio.chars.deleteText", { n }) : undefined}
                      onConfirm={() =>
                        remove.mutateAsync(c.id).then(
                          () => void message.success(t("studio.chars.deleted", { name: c.name })),
                          (e: unknown) => void message.error(errorMessage(e)),
                        )
                      }
                    >
                      <Button
                        size="small"
                        type="text"
                        danger
                        icon={<DeleteOutlined />}
                        aria-label={t("studio.chars.delete", { name: c.name })}
                        title={t("studio.chars.delete", { name: c.name })}
                        data-testid="character-delete"
                      />
                    </ConfirmDelete>
                  </Space>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {editing !== null && (
        <CharacterForm
          character={editing === "new" ? null : editing}
          index={characters.length}
          pending={save.isPending}
          error={save.error}
          onClose={() => setEditing(null)}
          onSubmit={(fields) =>
            save.mutate(
              { id: editing === "new" ? null : editing.id, fields },
              {
                onSuccess: (c) => {
                  setEditing(null);
                  void message.success(editing === "new" ? t("studio.chars.created", { name: c.name }) : t("studio.chars.saved", { name: c.name }));
                },
              },
            )
          }
        />
      )}
    </Card>
  );
}
