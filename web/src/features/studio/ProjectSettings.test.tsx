import { QueryClient, QueryClientProvider, useMutation } from "@tanstack/react-query";
import { cleanup, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { App } from "antd";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Schemas } from "../../api/client";
import { I18nProvider } from "../../i18n";
import { project, shot } from "./editor/fixtures";
import type { Project } from "./editor/types";
import { ProjectSettings } from "./ProjectSettings";

const patches: Schemas["ProjectPatch"][] = [];

// The save goes nowhere: each patch is recorded and answered with the project.
vi.mock("./api", () => ({
  useUpdateProject: () =>
    useMutation({
      mutationFn: async (patch: Schemas["ProjectPatch"]) => {
        patches.push(patch);
        return {};
      },
    }),
}));
vi.mock("../../api/queries", () => ({
  useStyles: () => ({ data: undefined, isLoading: false }),
  useVoices: () => ({ data: undefined, isLoading: false }),
  useMusicMoods: () => ({ data: undefined, isLoading: false }),
}));
vi.mock("../providers/api", () => ({
  useProviderCatalog: () => ({ data: undefined }),
  useMyRouting: () => ({ data: undefined }),
}));
vi.mock("../providers/RoutingFields", () => ({ RoutingFields: () => null }));

function show(p: Project, lang: "en" | "zh" = "en") {
  localStorage.setItem("storyreel.lang", lang);
  const onClose = vi.fn();
  render(
    <QueryClientProvider client={new QueryClient()}>
      <I18nProvider>
        <App>
          <ProjectSettings project={p} open onClose={onClose} />
        </App>
      </I18nProvider>
    </QueryClientProvider>,
  );
  return onClose;
}

const translated = () => project({ shots: [shot("s1", { original_narration: "灯塔猫。" }), shot("s2", { original_narration: "" })] });

describe("ProjectSettings: bilingual subtitles", () => {
  beforeEach(() => {
    patches.length = 0;
  });
  afterEach(() => cleanup());

  it("is not offered for a project that was not translated", async () => {
    show(project({ shots: [shot("s1"), shot("s2")] }));
    expect(await screen.findByTestId("settings-save")).toBeInTheDocument();
    expect(screen.queryByRole("switch", { name: "Bilingual subtitles" })).toBeNull();
  });

  it("switches on for a translated project, says only the video is made again, and saves it", async () => {
    const onClose = show(translated());
    const toggle = await screen.findByRole("switch", { name: "Bilingual subtitles" });
    expect(toggle).not.toBeChecked();
    expect(screen.getByText("Under each subtitle, smaller, the narration this project was translated from.")).toBeInTheDocument();
    const user = userEvent.setup();
    await user.click(toggle);
    expect(toggle).toBeChecked();
    expect(await screen.findByTestId("settings-effects")).toHaveTextContent("Saving renders the video again; the pictures and voices are kept.");
    await user.click(screen.getByTestId("settings-save"));
    await vi.waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(patches).toEqual([{ bilingual_subtitles: true }]);
  });

  it("is offered in Chinese, and turned off again", async () => {
    show({ ...translated(), bilingual_subtitles: true }, "zh");
    const toggle = await screen.findByRole("switch", { name: "双语字幕" });
    expect(toggle).toBeChecked();
    const user = userEvent.setup();
    await user.click(toggle);
    expect(await screen.findByTestId("settings-effects")).toHaveTextContent("保存后将重新渲染视频；画面和配音保持不变。");
    await user.click(screen.getByTestId("settings-save"));
    await vi.waitFor(() => expect(patches).toEqual([{ bilingual_subtitles: false }]));
  });
});
