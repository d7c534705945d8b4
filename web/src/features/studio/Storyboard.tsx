/** The storyboard: the shots in order as cards, dragged (mouse, touch or keyboard) or moved
 * from each card's menu into a new order, with the dialogs that add, split and delete shots
 * and make their pictures again. */
import { PlusOutlined } from "@ant-design/icons";
import {
  closestCenter,
  DndContext,
  KeyboardSensor,
  PointerSensor,
  TouchSensor,
  useSensor,
  useSensors,
  type Announcements,
  type DragEndEvent,
} from "@dnd-kit/core";
import { SortableContext, sortableKeyboardCoordinates, verticalListSortingStrategy } from "@dnd-kit/sortable";
import { App, Button, Empty, Grid, Progress, Skeleton, Space, Typography } from "antd";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { errorMessage } from "../../api/client";
import { useT } from "../../i18n";
import { useAddShot, useDeleteShot, useRegenerate, useReorder, useShotPatch, useSplitShot, type ShotStep } from "./api";
import { moveShot, moveShotBy, shotIds } from "./editor/order";
import type { Permissions } from "./editor/permissions";
import type { Project, Shot, ShotPatch } from "./editor/types";
import { ShotCard, type ShotActions } from "./ShotCard";
import { AddShotModal, ImageOptionsModal, SplitShotModal } from "./ShotDialogs";

interface Props {
  project: Project;
  perms: Permissions;
}

export function Storyboard({ project, perms }: Props) {
  const t = useT();
  const { message, modal } = App.useApp();
  const screens = Grid.useBreakpoint();
  const wide = !!screens.md;
  const projectId = project.id;
  const shots = project.shots;

  const { mutateAsync: patchShot } = useShotPatch(projectId);
  const { mutate: reorderShots } = useReorder(projectId);
  const add = useAddShot(projectId);
  const split = useSplitShot(projectId);
  const { mutateAsync: removeShot } = useDeleteShot(projectId);
  const regenerate = useRegenerate(projectId);
  const { mutate: regenerateShot, reset: resetRegenerate } = regenerate;
  const { reset: resetSplit } = split;
  const { reset: resetAdd } = add;
  // The cards' actions read the latest shots without changing (and re-rendering every card)
  // each time the project is read again.
  const shotsRef = useRef(shots);
  useEffect(() => {
    shotsRef.current = shots;
  }, [shots]);

  const [adding, setAdding] = useState<number | null>(null);
  const [splitting, setSplitting] = useState<Shot | null>(null);
  const [imaging, setImaging] = useState<Shot | null>(null);

  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 5 } }),
    useSensor(TouchSensor, { activationConstraint: { delay: 200, tolerance: 8 } }),
    useSensor(KeyboardSensor, { coordinateGetter: sortableKeyboardCoordinates }),
  );

  // Each opening of the add dialog starts without the last attempt's error.
  const openAdd = useCallback(
    (position: number) => {
      resetAdd();
      setAdding(position);
    },
    [resetAdd],
  );

  const numberOf = useCallback((id: string | number) => shots.findIndex((s) => s.id === id) + 1, [shots]);

  const commitOrder = useCallback(
    (next: Shot[] | null) => {
      if (!next) return;
      reorderShots(shotIds(next), {
        onError: (e) => void message.error(t("studio.board.reorderFailed", { message: errorMessage(e) })),
      });
    },
    [message, reorderShots, t],
  );

  const onDragEnd = useCallback(
    ({ active, over }: DragEndEvent) => {
      if (over) commitOrder(moveShot(shotsRef.current, String(active.id), String(over.id)));
    },
    [commitOrder],
  );

  const announcements: Announcements = useMemo(
    () => ({
      onDragStart: ({ active }) => t("studio.dnd.start", { n: numberOf(active.id) }),
      onDragOver: ({ active, over }) =>
        over ? t("studio.dnd.over", { n: numberOf(active.id), to: numberOf(over.id) }) : t("studio.dnd.outside", { n: numberOf(active.id) }),
      onDragEnd: ({ active, over }) =>
        over ? t("studio.dnd.end", { n: numberOf(active.id), to: numberOf(over.id) }) : t("studio.dnd.cancel", { n: numberOf(active.id) }),
      onDragCancel: ({ active }) => t("studio.dnd.cancel", { n: numberOf(active.id) }),
    }),
    [numberOf, t],
  );

  const actions: ShotActions = useMemo(
    () => ({
      patch: (shotId: string, body: ShotPatch, toast = false) =>
        patchShot({ shotId, patch: body }).catch((e: unknown) => {
          if (toast) void message.error(t("studio.shot.saveFailed", { message: errorMessage(e) }));
          throw e;
        }),
      regenerate: (shotId: string, steps: ShotStep[]) =>
        regenerateShot(
          { shotId, steps },
          {
            onSuccess: () =>
              void message.success(
                steps.length > 1 ? t("studio.shot.regeneratingBoth") : steps[0] === "image" ? t("studio.shot.regeneratingImage") : t("studio.shot.regeneratingVoice"),
              ),
            onError: (e) => void message.error(errorMessage(e)),
          },
        ),
      imageOptions: (shot: Shot) => {
        resetRegenerate();
        setImaging(shot);
      },
      split: (shot: Shot) => {
        resetSplit();
        setSplitting(shot);
      },
      insertAfter: (shot: Shot) => openAdd(shot.position + 1),
      remove: (shot: Shot) => {
        const n = shotsRef.current.findIndex((s) => s.id === shot.id) + 1;
        modal.confirm({
          title: t("studio.delete.title", { n }),
          content: t("studio.delete.text"),
          okText: t("common.delete"),
          okButtonProps: { danger: true, "data-testid": "shot-delete-confirm" },
          cancelText: t("common.cancel"),
          onOk: () =>
            removeShot(shot.id).then(
              () => void message.success(t("studio.delete.done", { n })),
              (e: unknown) => {
                void message.error(errorMessage(e));
              },
            ),
        });
      },
      move: (shotId: string, delta: number) => commitOrder(moveShotBy(shotsRef.current, shotId, delta)),
    }),
    [commitOrder, message, modal, openAdd, patchShot, regenerateShot, removeShot, resetRegenerate, resetSplit, t],
  );

  const storyboardTask = project.tasks.storyboard;
  const addDialog = adding !== null && (
    <AddShotModal
      shots={shots}
      position={adding}
      pending={add.isPending}
      error={add.error}
      onClose={() => setAdding(null)}
      onSubmit={(body) =>
        add.mutate(body, {
          onSuccess: (shot) => {
            setAdding(null);
            void message.success(t("studio.add.done", { n: shot.position + 1 }));
          },
        })
      }
    />
  );

  if (shots.length === 0) {
    if (perms.storyboardActive) {
      return (
        <section aria-labelledby="storyboard-heading" data-testid="storyboard" aria-busy="true">
          <Typography.Title level={2} id="storyboard-heading" style={{ fontSize: 18 }}>
            {t("studio.board.title")}
          </Typography.Title>
          <div className="studio-writing" role="status">
            <Typography.Text strong>{t("studio.board.writing")}</Typography.Text>
            <Progress percent={Math.round(storyboardTask?.progress ?? 0)} status="active" strokeColor="#5b3df5" style={{ maxWidth: 360 }} aria-label={t("studio.board.writing")} />
          </div>
          {[0, 1, 2].map((i) => (
            <div key={i} className="studio-shot-skeleton">
              <Skeleton.Image active style={{ width: wide ? 300 : "100%", height: 150 }} />
              <Skeleton active paragraph={{ rows: 3 }} title={false} style={{ flex: 1 }} />
            </div>
          ))}
        </section>
      );
    }
    return (
      <section aria-labelledby="storyboard-heading" data-testid="storyboard">
        <Typography.Title level={2} id="storyboard-heading" style={{ fontSize: 18 }}>
          {t("studio.board.title")}
        </Typography.Title>
        <Empty description={perms.canEdit ? t("studio.board.empty") : t("studio.board.emptyReadOnly")}>
          {perms.canEdit && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => openAdd(0)} data-testid="add-shot">
              {t("studio.board.add")}
            </Button>
          )}
        </Empty>
        {addDialog}
      </section>
    );
  }

  return (
    <section aria-labelledby="storyboard-heading" data-testid="storyboard">
      <div style={{ display: "flex", alignItems: "center", gap: 12, flexWrap: "wrap", marginBottom: 12 }}>
        <Typography.Title level={2} id="storyboard-heading" style={{ fontSize: 18, margin: 0 }}>
          {t("studio.board.title")}
        </Typography.Title>
        <Typography.Text type="secondary">{t("studio.board.count", { n: shots.length })}</Typography.Text>
        <div style={{ flex: 1 }} />
        {perms.canEdit && (
          <Button icon={<PlusOutlined />} data-testid="add-shot" onClick={() => openAdd(shots.length)}>
            {t("studio.board.add")}
          </Button>
        )}
      </div>
      {perms.canEdit && wide && (
        <Typography.Paragraph type="secondary" style={{ fontSize: 13, marginTop: -4 }}>
          {t("studio.board.hint")}
        </Typography.Paragraph>
      )}
      <DndContext
        sensors={sensors}
        collisionDetection={closestCenter}
        onDragEnd={onDragEnd}
        accessibility={{ announcements, screenReaderInstructions: { draggable: t("studio.dnd.instructions") } }}
      >
        <SortableContext items={shots.map((s) => s.id)} strategy={verticalListSortingStrategy}>
          <ol className="studio-shots" aria-label={t("studio.board.listLabel")}>
            {shots.map((shot, i) => (
              <ShotCard
                key={shot.id}
                shot={shot}
                index={i}
                total={shots.length}
                aspect={project.aspect}
                characters={project.characters}
                canEdit={perms.canEdit}
                readOnly={perms.reason === "readOnly"}
                wide={wide}
                actions={actions}
              />
            ))}
          </ol>
        </SortableContext>
      </DndContext>
      {perms.canEdit && (
        <Space style={{ marginTop: 12 }}>
          <Button type="dashed" icon={<PlusOutlined />} onClick={() => openAdd(shots.length)}>
            {t("studio.board.addEnd")}
          </Button>
        </Space>
      )}

      {addDialog}
      {splitting && (
        <SplitShotModal
          shot={splitting}
          number={numberOf(splitting.id)}
          pending={split.isPending}
          error={split.error}
          onClose={() => setSplitting(null)}
          onSubmit={(at) =>
            split.mutate(
              { shotId: splitting.id, at },
              {
                onSuccess: () => {
                  void message.success(t("studio.split.done", { n: numberOf(splitting.id) }));
                  setSplitting(null);
                },
              },
            )
          }
        />
      )}
      {imaging && (
        <ImageOptionsModal
          shot={imaging}
          number={numberOf(imaging.id)}
          pending={regenerate.isPending}
          error={regenerate.error}
          onClose={() => setImaging(null)}
          onSubmit={(image) =>
            regenerate.mutate(
              { shotId: imaging.id, steps: ["image"], image },
              {
                onSuccess: () => {
                  void message.success(t("studio.shot.regeneratingImage"));
                  setImaging(null);
                },
              },
            )
          }
        />
      )}
    </section>
  );
}
