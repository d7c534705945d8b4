import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { act, cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { App } from "antd";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "../../api/client";
import { I18nProvider } from "../../i18n";
import { FakeHls } from "../../test/fakeHls";
import type { Live } from "./api";
import { asset, state, task } from "./editor/fixtures";
import { permissions } from "./editor/permissions";
import type { Project, Render } from "./editor/types";
import { RenderPanel } from "./RenderPanel";

const REFUSED =
  "openai images at http://127.0.0.1:9/v1: HTTP 401: Incorrect API key provided. — set STORYREEL_OPENAI_IMAGE__API_KEY";
// The project's tasks as the API lists them: the current picture tasks of two shots, one of
// which fell back to sketches because the image key was refused.
const tasks = { items: [] as unknown[] };
// What GET /renders and GET /live answer (live: undefined while it still says 404).
const renders = { items: [] as Render[] };
const live: { data: Live | undefined; refetch: ReturnType<typeof vi.fn>; asked: unknown[][] } = { data: undefined, refetch: vi.fn(), asked: [] };

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
  useRenders: () => ({ data: renders, isLoading: false, error: null, refetch: () => undefined }),
  useLive: (...args: unknown[]) => {
    live.asked.push(args);
    return { data: live.data, refetch: live.refetch };
  },
  useProjectCost: () => ({ isPending: true }),
  useProjectTasks: () => ({ data: tasks, isLoading: false, error: null }),
}));
vi.mock("../providers/api", () => ({ useProviderCatalog: () => ({ data: undefined }) }));
vi.mock("hls.js", async () => ({ default: (await import("../../test/fakeHls")).FakeHls }));

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

function panel(p: Project, client: QueryClient) {
  return (
    <QueryClientProvider client={client}>
      <I18nProvider>
        <App>
          <RenderPanel project={p} perms={permissions(p)} poll={false} />
        </App>
      </I18nProvider>
    </QueryClientProvider>
  );
}

function show(p: Project) {
  localStorage.setItem("storyreel.lang", "en");
  const client = new QueryClient();
  const view = render(panel(p, client));
  return { ...view, update: (next: Project) => view.rerender(panel(next, client)) };
}

const RENDER_TASK = "t-render";
const LIVE: Live = {
  task_id: RENDER_TASK,
  status: "running",
  quality: "final",
  playlist_url: `/api/v1/live/${RENDER_TASK}/playlist.m3u8?expires=9999999999&sig=abc`,
  segments_ready: 3,
  ended: false,
};

function finished(id: string, over: Partial<Render> = {}): Render {
  return {
    id,
    quality: "final",
    duration: 30,
    width: 1280,
    height: 720,
    size_bytes: 4_000_000,
    created_at: "2026-01-01T00:00:00Z",
    task_id: `task-of-${id}`,
    video: { ...asset(`${id}-video`), kind: "video", mime: "video/mp4" },
    poster: null,
    contact_sheet: null,
    srt: null,
    qc: null,
    ...over,
  };
}

const ATTENTION: Render["qc"] = {
  outcome: "attention",
  summary: "Shot 2's narration is silent from 0:05.1 to 0:09.4 (4.3 s).",
  elapsed_s: 3.2,
  checks: [
    {
      name: "narration_silent",
      status: "fail",
      message: "Shot 2's narration is silent from 0:05.1 to 0:09.4 (4.3 s).",
      measured: {},
      threshold: {},
      findings: [{ message: "Shot 2's narration is silent from 0:05.1 to 0:09.4 (4.3 s).", start: 5.1, end: 9.4, shot: 2 }],
    },
  ],
};

describe("RenderPanel", () => {
  beforeEach(() => {
    FakeHls.reset();
    vi.spyOn(HTMLMediaElement.prototype, "play").mockImplementation(() => Promise.resolve());
    vi.spyOn(HTMLMediaElement.prototype, "load").mockImplementation(() => undefined);
  });

  afterEach(() => {
    cleanup();
    vi.restoreAllMocks();
    tasks.items = [];
    renders.items = [];
    live.data = undefined;
    live.asked = [];
    live.refetch.mockReset();
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

  it("asks where to watch only while the render runs, and says the picture starts with the first part", () => {
    const previous = finished("r0");
    const queued = { ...project, latest_render: previous, tasks: { render: state("queued", 0, RENDER_TASK) } } as unknown as Project;
    const { update } = show(queued);
    expect(live.asked.at(-1)).toEqual(["p1", RENDER_TASK, false]);
    expect(screen.getByTestId("live-starting")).toHaveTextContent("You can watch it here once its first part is ready.");
    // Until then the last video stays.
    expect(screen.getByTestId("video-player")).toBeInTheDocument();

    update({ ...queued, tasks: { render: state("running", 20, RENDER_TASK) } } as unknown as Project);
    expect(live.asked.at(-1)).toEqual(["p1", RENDER_TASK, true]);
  });

  it("plays the render while it runs, then the final video from where the viewer was, with its check", async () => {
    live.data = LIVE;
    const running = { ...project, latest_render: finished("r0"), tasks: { render: state("running", 40, RENDER_TASK) } } as unknown as Project;
    const { update } = show(running);
    expect(screen.getByTestId("live-label")).toHaveTextContent("Live — rendering, 3 segments ready");
    expect(screen.queryByTestId("video-player")).toBeNull();
    expect(screen.queryByTestId("live-starting")).toBeNull();
    await waitFor(() => expect(FakeHls.instances).toHaveLength(1));
    expect(FakeHls.last.source).toBe(LIVE.playlist_url);

    const liveVideo = screen.getByTestId("live-video") as HTMLVideoElement;
    Object.defineProperty(liveVideo, "currentTime", { value: 12.5, configurable: true, writable: true });
    Object.defineProperty(liveVideo, "paused", { value: false, configurable: true });
    fireEvent.timeUpdate(liveVideo);

    // The render ends: until the project lists its render, the live picture stays.
    act(() => FakeHls.last.playlist(6, true));
    update({ ...running, tasks: { render: state("succeeded", 100, RENDER_TASK) } } as unknown as Project);
    expect(screen.getByTestId("live-player")).toHaveAttribute("data-state", "ended");

    const done = finished("r1", { task_id: RENDER_TASK, qc: ATTENTION });
    renders.items = [done, finished("r0")];
    update({ ...running, latest_render: done, tasks: { render: state("succeeded", 100, RENDER_TASK) } } as unknown as Project);
    expect(screen.queryByTestId("live-player")).toBeNull();
    expect(FakeHls.last.destroyed).toBe(true);

    const video = screen.getByTestId("video-player") as HTMLVideoElement;
    expect(video.getAttribute("src")).toContain("r1-video");
    Object.defineProperty(video, "duration", { value: 30, configurable: true });
    const play = vi.mocked(HTMLMediaElement.prototype.play);
    play.mockClear();
    fireEvent.loadedMetadata(video);
    expect(video.currentTime).toBe(12.5);
    expect(play).toHaveBeenCalledTimes(1);

    // The latest render and the history both carry the check; only the latest one's badge
    // links shots (an older render's shots may not be today's).
    expect(screen.getAllByTestId("qc-badge")).toHaveLength(2);
    const [current] = screen.getAllByTestId("render-history-item");
    expect(within(current).getByTestId("qc-badge")).toHaveTextContent("Needs attention");
  });

  it("opens the report from the badge and takes a finding's shot to its card", { timeout: 20_000 }, async () => {
    const done = finished("r1", { qc: ATTENTION });
    const card = document.createElement("div");
    card.dataset.testid = "shot-card";
    card.dataset.shotId = "s2";
    document.body.append(card);
    const scrolled = vi.fn();
    Element.prototype.scrollIntoView = scrolled;
    try {
      show({
        ...project,
        shots: [
          { id: "s1", tasks: {}, image: null, audio: null },
          { id: "s2", tasks: {}, image: null, audio: null },
        ],
        latest_render: done,
      } as unknown as Project);
      await userEvent.click(screen.getByTestId("qc-badge"));
      const report = await screen.findByTestId("qc-report");
      expect(within(report).getByTestId("qc-summary")).toHaveTextContent("Shot 2's narration is silent");
      await userEvent.click(within(report).getByRole("button", { name: "Go to shot 2 in the storyboard" }));
      expect(scrolled).toHaveBeenCalledTimes(1);
      expect(scrolled.mock.contexts[0]).toBe(card);
      expect(document.activeElement).toBe(card);
    } finally {
      card.remove();
      delete (Element.prototype as Partial<Element>).scrollIntoView;
    }
  });

  it("goes back to the last video when the render fails", () => {
    live.data = LIVE;
    show({ ...project, latest_render: finished("r0"), tasks: { render: state("failed", 40, RENDER_TASK) } } as unknown as Project);
    expect(screen.queryByTestId("live-player")).toBeNull();
    expect(screen.getByTestId("video-player").getAttribute("src")).toContain("r0-video");
    expect(live.asked.at(-1)).toEqual(["p1", null, false]);
  });
});
