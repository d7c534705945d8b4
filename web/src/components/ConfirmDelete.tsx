import { Popconfirm, type ButtonProps } from "antd";
import type { ReactElement, ReactNode } from "react";
import { useT } from "../i18n";

interface Props {
  title: ReactNode;
  description?: ReactNode;
  /** The red button's words (default: "Delete"). */
  okText?: string;
  /** The red button's `data-testid`. */
  okTestId?: string;
  /** May return a promise: the red button spins until it settles. */
  onConfirm: () => unknown;
  /** The button that asks. */
  children: ReactElement;
}

/** Asks before something is deleted (or revoked) for good: the question, a red button and
 * Cancel, next to the button that asked. */
export function ConfirmDelete({ title, description, okText, okTestId, onConfirm, children }: Props) {
  const t = useT();
  return (
    <Popconfirm
      title={title}
      description={description}
      okText={okText ?? t("common.delete")}
      cancelText={t("common.cancel")}
      okButtonProps={{ danger: true, ...(okTestId ? { "data-testid": okTestId } : {}) } as ButtonProps}
      onConfirm={onConfirm}
    >
      {children}
    </Popconfirm>
  );
}
