import { PlusOutlined } from "@ant-design/icons";
import { Button } from "antd";
import type { MouseEvent } from "react";
import { useNavigate } from "react-router-dom";
import { useT } from "../../i18n";

/** A link to /projects/new that looks like the page's primary button (a real link: it opens in
 * a new tab with a modifier key; a plain click stays in the app). */
export function NewProjectButton({ size = "large" }: { size?: "middle" | "large" }) {
  const t = useT();
  const navigate = useNavigate();
  const go = (e: MouseEvent<HTMLElement>) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate("/projects/new");
  };
  return (
    <Button type="primary" size={size} icon={<PlusOutlined />} href="/projects/new" onClick={go} data-testid="new-project">
      {t("projects.new")}
    </Button>
  );
}
