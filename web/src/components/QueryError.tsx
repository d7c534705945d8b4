import { Alert, Button } from "antd";
import type { ReactNode } from "react";
import { errorMessage } from "../api/client";
import { useT } from "../i18n";

interface Props {
  error: unknown;
  onRetry: () => void;
  /** What could not be loaded; the server's message then goes below it (default: the title is
   * the server's message). */
  title?: ReactNode;
  /** Below the title (default: the server's message when there is a title; `null` for none). */
  description?: ReactNode;
  /** The retry in flight: the button spins. */
  retrying?: boolean;
  /** "warning" where the page works on without it. */
  type?: "error" | "warning";
}

/** A failed load: the server's message and a Retry button. */
export function QueryError({ error, onRetry, title, description, retrying, type = "error" }: Props) {
  const t = useT();
  return (
    <Alert
      type={type}
      showIcon
      role="alert"
      title={title ?? errorMessage(error)}
      description={description === undefined && title !== undefined ? errorMessage(error) : description}
      action={
        <Button size="small" onClick={onRetry} loading={retrying}>
          {t("common.retry")}
        </Button>
      }
    />
  );
}
