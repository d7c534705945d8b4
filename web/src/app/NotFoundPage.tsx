import { Button, Result } from "antd";
import { Link } from "react-router-dom";
import { useT } from "../i18n";

export default function NotFoundPage() {
  const t = useT();
  return (
    <Result
      status="404"
      title={t("common.notFoundTitle")}
      subTitle={t("common.notFoundText")}
      extra={
        <Link to="/projects">
          <Button type="primary">{t("nav.projects")}</Button>
        </Link>
      }
    />
  );
}
