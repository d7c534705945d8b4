import { Alert, Button } from "antd";
import { errorMessage } from "../../api/client";
import { useT } from "../../i18n";

/** A failed load: the server's message and a Retry button. */
export function QueryError({ error, onRetry }: { error: unknown; onRetry: () => void }) {
  const t = useT();
  return (
    <Alert
      type="error"
      showIcon
      role="alert"
      title={errorMessage(error)}
      action={
        <Button size="small" onClick={onRetry}>
          {t("common.retry")}
        </Button>
      }
    />
  );
}
