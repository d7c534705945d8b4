import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { App } from "antd";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "../../api/client";
import { I18nProvider } from "../../i18n";
import { task } from "./editor/fixtures";
import { permissions } from "./editor/permissions";
import type { Project } from "./editor/types";
import { RenderPanel } from "./RenderPanel";

const REFUSED =
  "openai images at http://127.0.0.1:9/v1: HTTP 401: Incorrect API key provided. — set STORYREEL_OPENAI_IMAGE__API_KEY";
// The project's tasks as the API lists them: the current picture tasks of two shots, one of
// which fell back to sketches because the image key was refused.
const tasks = { items: [] as unknown[] };

const BUDGET_MESSAGE =
  "this project's budget would be exceeded: 0.9000 USD of 1.0000 USD spent, this needs about 0.5000 USD more; raise the project's budget in its settings";

// A render the server refuses with 402 (a budget): the panel must say why, in the server's words.
vi.mock("./api", () => ({
  useRender: () => ({
    mutate: (_quality: string, options: { onError?: (e: unknown) => void; onSettled?: () => void }) => {
      options.onError?.(new ApiError(402, { code: 402, message: BUDGET_MESSAGE, request_id: "r1", details: { budget: "project_budget" } }, "402"));
      options.onSettled?.();
    },
  }),
  useRenders: () => ({ data: { items: [] }, isLoading: false, error: null, refetch: () => undefined }),
  useProjectCost: () => ({ isPending: true }),
  useProjectTasks: () => ({ data: tasks, isLoading: false, error: null }),
}));
vi.mock("../providers/api", () => ({ useProviderCatalog: () => ({ data: undefined }) }));

const project = {
  id: "p1",
  access: "write",
  aspect: "16:9",
  status: "draft",
  shots: [{ id: "s1", tasks: {}, image: null, audio: null }],
  tasks: {},
  task_counts: {},
  latest_render: null,
} as unknown as Project;

function show(p: Project) {
  localStorage.setItem("storyreel.lang", "en");
  render(
    <QueryClientProvider client={new QueryClient()}>
      <I18nProvider>
        <App>
          <RenderPanel project={p} perms={permissions(p)} poll={false} />
        </App>
      </I18nProvider>
    </QueryClientProvider>,
  );
}

describe("RenderPanel", () => {
  afterEach(() => {
    cleanup();
    tasks.items = [];
  });

  it("says which pictures a stand-in provider made, and the setting to fix", () => {
    const fellBack = task("t1", { shot_id: "s1", result: { failovers: [{ provider: "openai", reason: REFUSED }], served_by: "sketch" } });
    tasks.items = [fellBack, task("t2", { shot_id: "s2", result: {} })];
    show({
      ...project,
      shots: [
        { id: "s1", tasks: { image: { id: "t1", status: "succeeded", progress: 100, finished_at: null } }, image: null, audio: null },
        { id: "s2", tasks: { image: { id: "t2", status: "succeeded", progress: 100, finished_at: null } }, image: null, audio: null },
      ],
    } as unknown as Project);
    const notice = screen.getByTestId("fallback-notice");
    expect(notice).toHaveTextContent("Picture: fell back from openai to sketch for 1 of 2 shots.");
    expect(notice).toHaveTextContent("set STORYREEL_OPENAI_IMAGE__API_KEY");
  });

  it("shows no notice when every step used the provider it was sent to", () => {
    tasks.items = [task("t2", { shot_id: "s1", result: {} })];
    show({ ...project, shots: [{ id: "s1", tasks: { image: { id: "t2", status: "succeeded", progress: 100, finished_at: null } }, image: null, audio: null }] } as unknown as Project);
    expect(screen.getByTestId("render-panel")).toBeInTheDocument();
    expect(screen.queryByTestId("fallback-notice")).toBeNull();
  });

  it("shows a budget's refusal (402) with the server's message", async () => {
    localStorage.setItem("storyreel.lang", "en");
    render(
      <QueryClientProvider client={new QueryClient()}>
        <I18nProvider>
          <App>
            <RenderPanel project={project} perms={permissions(project)} poll={false} />
          </App>
        </I18nProvider>
      </QueryClientProvider>,
    );
    await userEvent.click(screen.getByTestId("render-final"));
    expect(await screen.findByText(BUDGET_MESSAGE)).toBeInTheDocument();
  });
});
