import { PlusOutlined } from "@ant-design/icons";
import { LinkButton } from "../../components/LinkButton";
import { useT } from "../../i18n";

/** A link to /projects/new that looks like the page's primary button. */
export function NewProjectButton({ size = "large" }: { size?: "middle" | "large" }) {
  const t = useT();
  return (
    <LinkButton to="/projects/new" type="primary" size={size} icon={<PlusOutlined />} data-testid="new-project">
      {t("projects.new")}
    </LinkButton>
  );
}
