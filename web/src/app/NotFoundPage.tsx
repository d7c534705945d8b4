import { Result } from "antd";
import { LinkButton } from "../components/LinkButton";
import { useT } from "../i18n";

export default function NotFoundPage() {
  const t = useT();
  return (
    <Result
      status="404"
      title={t("common.notFoundTitle")}
      subTitle={t("common.notFoundText")}
      extra={
        <LinkButton to="/projects" type="primary">
          {t("nav.projects")}
        </LinkButton>
      }
    />
  );
}
