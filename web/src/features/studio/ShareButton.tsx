/** "Share": the system's share sheet with a link to the project's page (where its members watch
 * and download the video), for a project with a finished video, in browsers that have Web
 * Share. Shown nowhere else: copying the address does the same on the others. */
import { ShareAltOutlined } from "@ant-design/icons";
import { App, Button } from "antd";
import { useT } from "../../i18n";
import { canShare, share } from "../../lib/share";
import type { Project } from "./editor/types";

export function projectShareData(project: Pick<Project, "id" | "title">, origin: string, text: string): ShareData {
  return { title: project.title, text, url: `${origin}/projects/${project.id}` };
}

export function ShareButton({ project, className }: { project: Pick<Project, "id" | "title" | "latest_render">; className?: string }) {
  const t = useT();
  const { message } = App.useApp();
  const nav = globalThis.navigator;
  if (!project.latest_render?.video || !canShare(nav)) return null;
  const onClick = () => {
    const data = projectShareData(project, window.location.origin, t("studio.share.text", { title: project.title }));
    share(nav, data).catch((e: unknown) => {
      // A DOMException is not an Error everywhere.
      const reason = e instanceof Error || e instanceof DOMException ? e.message : String(e);
      void message.error(t("studio.share.failed", { message: reason }));
    });
  };
  return (
    <Button icon={<ShareAltOutlined />} onClick={onClick} data-testid="project-share" className={className}>
      {t("studio.share.open")}
    </Button>
  );
}
