import { DeleteOutlined } from "@ant-design/icons";
import { App, Button, Drawer, Empty, Flex, Pagination, Skeleton, Tag, Typography } from "antd";
import { useState } from "react";
import { Link, useNavigate } from "react-router-dom";
import { errorMessage } from "../../api/client";
import { ConfirmDelete } from "../../components/ConfirmDelete";
import { QueryError } from "../../components/QueryError";
import { RelativeTime } from "../../components/RelativeTime";
import { useT } from "../../i18n";
import { useDrawerSize } from "../../lib/useDrawerSize";
import { CONVERSATIONS_PAGE, useConversations, useDeleteConversation } from "./api";

interface Props {
  open: boolean;
  onClose: () => void;
  /** The conversation on the page (deleting it leaves the page for a new one). */
  currentId: string | undefined;
}

/** Your past conversations, the latest first: open one again, or delete it. */
export function HistoryDrawer({ open, onClose, currentId }: Props) {
  const t = useT();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const size = useDrawerSize(420, "sm");
  const [page, setPage] = useState(1);
  const list = useConversations(page, open);
  const remove = useDeleteConversation();

  const deleteOne = (id: string) =>
    remove
      .mutateAsync(id)
      .then(() => {
        message.success(t("assistant.deleted"));
        if (id === currentId) navigate("/assistant");
      })
      .catch((e: unknown) => {
        message.error(errorMessage(e));
      });

  const items = list.data?.items ?? [];
  let body;
  if (list.isPending) body = <Skeleton active paragraph={{ rows: 4 }} />;
  else if (list.isError) body = <QueryError error={list.error} onRetry={() => void list.refetch()} title={t("assistant.historyError")} retrying={list.isFetching} />;
  else if (items.length === 0) body = <Empty description={t("assistant.historyEmpty")} />;
  else
    body = (
      <ul className="assistant-history" data-testid="assistant-history">
        {items.map((c) => (
          <li key={c.id} className={c.id === currentId ? "assistant-history-item is-current" : "assistant-history-item"} data-testid="history-item">
            <Flex justify="space-between" align="flex-start" gap={8}>
              <div style={{ minWidth: 0 }}>
                <Link
                  to={`/assistant/${c.id}`}
                  onClick={onClose}
                  aria-label={t("assistant.open", { title: c.title })}
                  aria-current={c.id === currentId ? "page" : undefined}
                  className="assistant-history-title"
                  data-testid="history-open"
                >
                  {c.title}
                </Link>
                <Flex wrap gap={6} align="center" style={{ marginTop: 4 }}>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    <RelativeTime iso={c.updated_at} />
                  </Typography.Text>
                  {c.id === currentId && <Tag style={{ marginInlineEnd: 0 }}>{t("assistant.current")}</Tag>}
                  {c.has_script && (
                    <Tag color="blue" style={{ marginInlineEnd: 0 }}>
                      {t("assistant.hasScript")}
                    </Tag>
                  )}
                  {c.project_id && (
                    <Tag color="green" style={{ marginInlineEnd: 0 }}>
                      {t("assistant.hasProject")}
                    </Tag>
                  )}
                </Flex>
              </div>
              <ConfirmDelete title={t("assistant.deleteTitle")} description={t("assistant.deleteText")} okTestId="history-delete-confirm" onConfirm={() => deleteOne(c.id)}>
                <Button
                  type="text"
                  danger
                  size="small"
                  icon={<DeleteOutlined />}
                  aria-label={t("assistant.deleteAria", { title: c.title })}
                  data-testid="history-delete"
                />
              </ConfirmDelete>
            </Flex>
          </li>
        ))}
      </ul>
    );

  const total = list.data?.total ?? 0;
  return (
    <Drawer open={open} onClose={onClose} size={size} title={t("assistant.history")}>
      <Flex vertical gap={16}>
        {body}
        {total > CONVERSATIONS_PAGE && (
          <nav aria-label={t("assistant.pagination")}>
            <Pagination size="small" current={page} pageSize={CONVERSATIONS_PAGE} total={total} onChange={setPage} showSizeChanger={false} />
          </nav>
        )}
      </Flex>
    </Drawer>
  );
}
