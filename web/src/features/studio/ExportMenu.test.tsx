import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { App } from "antd";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { I18nProvider } from "../../i18n";
import { permissions } from "./editor/permissions";
import type { Project } from "./editor/types";
import { dispositionFilename } from "./exports";
import { RenderPanel } from "./RenderPanel";

type Call = { path: string; params?: { path?: Record<string, string>; query?: Record<string, unknown> }; parseAs?: string };
type Reply = { status: number; body?: unknown; headers?: Record<string, string> };

/** A fake server behind the typed client: every GET is recorded and answered by `handle`. */
const server = vi.hoisted(() => ({
  calls: [] as Call[],
  handle: (() => ({ status: 404 })) as (call: Call) => Reply,
}));

vi.mock("../../api/client", async (importActual) => {
  const actual = await importActual<typeof import("../../api/client")>();
  const GET = async (path: string, init: Omit<Call, "path"> = {}) => {
    const call = { path, ...init };
    server.calls.push(call);
    const { status, body, headers } = server.handle(call);
    return {
      data: status < 400 ? body : undefined,
      error: status >= 400 ? body : undefined,
      response: new Response(null, { status, headers }),
    };
  };
  return { ...actual, api: { GET } };
});

vi.mock("./api", () => ({
  useRender: () => ({ mutate: () => undefined }),
  useRenders: () => ({ data: { items: [] }, isLoading: false, error: null, refetch: () => undefined }),
  useProjectCost: () => ({ isPending: true }),
  useProjectTasks: () => ({ data: { items: [] }, isLoading: false, error: null }),
  useLive: () => ({ data: undefined, refetch: () => undefined }),
}));
vi.mock("../providers/api", () => ({ useProviderCatalog: () => ({ data: undefined }) }));

const asset = (id: string, mime: string) => ({ id, url: `/files/${id}?expires=9999999999`, mime, size: 2048 });
const finished = {
  id: "r1",
  quality: "final",
  created_at: "2026-01-01T00:00:00Z",
  duration: 12,
  width: 1280,
  height: 720,
  size_bytes: 300_000,
  video: asset("v1", "video/mp4"),
  srt: null,
  poster: null,
  contact_sheet: null,
};

const project = {
  id: "p1",
  title: "白鹤",
  access: "write",
  aspect: "16:9",
  status: "done",
  shots: [{ id: "s1", tasks: {}, image: null, audio: null }],
  tasks: {},
  task_counts: {},
  latest_render: finished,
} as unknown as Project;

const CONFLICT = "project p1 has no finished render; render it first";

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

describe("Export for editors", () => {
  const saved: { href: string; download: string }[] = [];

  beforeEach(() => {
    server.calls = [];
    saved.length = 0;
    URL.createObjectURL = vi.fn(() => "blob:export");
    URL.revokeObjectURL = vi.fn();
    vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function (this: HTMLAnchorElement) {
      if (this.href.startsWith("blob:")) saved.push({ href: this.href, download: this.download });
    });
  });

  afterEach(() => {
    cleanup();
    vi.restoreAllMocks();
  });

  it("is disabled, saying why, while the project has no finished render", async () => {
    show({ ...project, status: "draft", latest_render: null } as unknown as Project);
    const button = screen.getByTestId("export-menu");
    expect(button).toBeDisabled();
    await userEvent.hover(screen.getByTestId("export-menu-wrapper"));
    expect(await screen.findByText("Render the video first: exports are made from the finished render.")).toBeInTheDocument();
    await userEvent.click(button);
    expect(screen.queryByTestId("export-jianying")).toBeNull();
    expect(server.calls).toEqual([]);
  });

  it("downloads the JianYing draft under the server's file name", async () => {
    const zip = new Blob(["PK"], { type: "application/zip" });
    server.handle = () => ({
      status: 200,
      body: zip,
      headers: {
        "Content-Type": "application/zip",
        "Content-Disposition": `attachment; filename="download.zip"; filename*=UTF-8''${encodeURIComponent("白鹤 - jianying.zip")}`,
      },
    });
    show(project);
    await userEvent.click(screen.getByTestId("export-menu"));
    for (const f of ["bundle", "jianying", "fcp7", "otio", "otioz", "edl"]) expect(await screen.findByTestId(`export-${f}`)).toBeInTheDocument();
    expect(screen.getByText("JianYing / CapCut draft")).toBeInTheDocument();
    await userEvent.click(screen.getByTestId("export-jianying"));

    await waitFor(() => expect(saved).toHaveLength(1));
    expect(server.calls).toHaveLength(1);
    expect(server.calls[0]).toMatchObject({
      path: "/api/v1/projects/{project_id}/export",
      params: { path: { project_id: "p1" }, query: { format: "jianying" } },
      parseAs: "blob",
    });
    expect(saved[0]).toEqual({ href: "blob:export", download: "白鹤 - jianying.zip" });
    expect(URL.createObjectURL).toHaveBeenCalledWith(zip);
  });

  it("shows the server's message when the export is refused (409)", async () => {
    server.handle = () => ({ status: 409, body: { code: 409, message: CONFLICT, request_id: "r1" } });
    show(project);
    await userEvent.click(screen.getByTestId("export-menu"));
    await userEvent.click(await screen.findByTestId("export-bundle"));
    expect(await screen.findByText(`Could not export: ${CONFLICT}`)).toBeInTheDocument();
    expect(saved).toEqual([]);
    expect(server.calls[0].params?.query).toEqual({ format: "bundle" });
  });

  it("reads the file name from Content-Disposition", () => {
    expect(dispositionFilename(`attachment; filename="a.zip"; filename*=UTF-8''${encodeURIComponent("My film - fcp7.zip")}`)).toBe("My film - fcp7.zip");
    expect(dispositionFilename('attachment; filename="plain.otioz"')).toBe("plain.otioz");
    expect(dispositionFilename("attachment; filename=bare.zip")).toBe("bare.zip");
    expect(dispositionFilename(null)).toBeNull();
    expect(dispositionFilename("attachment")).toBeNull();
  });
});
