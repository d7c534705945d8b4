/** The frame of the studio's dialogs (add, split, picture options, character): OK submits,
 * Cancel closes, and the server's message stands above the content when the last try failed. */
import { Alert, Modal } from "antd";
import type { ReactNode } from "react";
import { errorMessage } from "../../api/client";
import { useT } from "../../i18n";

/** What a dialog's owner gives it: the mutation's state, what to do with the submitted value,
 * and how to close. */
export interface DialogProps<T> {
  pending: boolean;
  error: unknown;
  onSubmit: (value: T) => void;
  onClose: () => void;
}

export interface StudioModalProps {
  title: ReactNode;
  okText: string;
  /** The submit's `data-testid`. */
  okTestId: string;
  okDisabled?: boolean;
  pending: boolean;
  /** The last try's error (null/undefined: none). */
  error: unknown;
  onOk: () => void;
  onClose: () => void;
  width?: number;
  children: ReactNode;
}

export function StudioModal({ title, okText, okTestId, okDisabled, pending, error, onOk, onClose, width, children }: StudioModalProps) {
  const t = useT();
  return (
    <Modal
      open
      title={title}
      okText={okText}
      cancelText={t("common.cancel")}
      confirmLoading={pending}
      okButtonProps={{ disabled: okDisabled, "data-testid": okTestId }}
      onOk={onOk}
      onCancel={onClose}
      destroyOnHidden
      className="studio-modal"
      width={width}
    >
      {error ? <Alert type="error" showIcon title={errorMessage(error)} style={{ marginBottom: 16 }} role="alert" /> : null}
      {children}
    </Modal>
  );
}
