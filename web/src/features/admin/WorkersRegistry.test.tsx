import { cleanup, render, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { I18nProvider } from "../../i18n";
import { WorkersRegistryTable, type RegisteredWorker } from "./WorkersRegistry";

const now = new Date().toISOString();

function worker(id: string, state: RegisteredWorker["state"], extra: Partial<RegisteredWorker> = {}): RegisteredWorker {
  return {
    id,
    host: "node-1",
    pid: 42,
    version: "1.2.3",
    executor: "celery",
    queues: ["cpu", "io"],
    state,
    started_at: now,
    last_heartbeat_at: now,
    stopped_at: null,
    task_id: null,
    task_kind: null,
    tasks_running: 0,
    gpu_name: null,
    gpu_memory_mb: null,
    ...extra,
  };
}

const WORKERS = [
  worker("gpu-1:1:aaaaaa", "running", {
    task_id: "0123456789abcdef0123456789abcdef",
    task_kind: "image",
    tasks_running: 2,
    gpu_name: "NVIDIA L4",
    gpu_memory_mb: 23034,
  }),
  worker("cpu-1:2:bbbbbb", "idle"),
  worker("cpu-2:3:cccccc", "lost"),
  worker("cpu-3:4:dddddd", "stopped"),
];

describe("WorkersRegistryTable", () => {
  afterEach(cleanup);

  it("shows each worker's state as a tag, its task and its GPU", () => {
    localStorage.setItem("storyreel.lang", "en");
    render(
      <I18nProvider>
        <WorkersRegistryTable workers={WORKERS} />
      </I18nProvider>,
    );
    const states = screen.getAllByTestId("admin-worker-state").map((tag) => tag.textContent);
    expect(states).toEqual(["Running", "Idle", "Lost", "Stopped"]);
    const gpuRow = screen.getByText("gpu-1:1:aaaaaa").closest("tr") as HTMLElement;
    expect(within(gpuRow).getByText("image")).toBeInTheDocument();
    expect(within(gpuRow).getByText("01234567 and 1 more")).toBeInTheDocument();
    expect(within(gpuRow).getByText("NVIDIA L4 · 22 GiB")).toBeInTheDocument();
  });

  it("speaks Chinese, and says how to start a worker when none registered", () => {
    localStorage.setItem("storyreel.lang", "zh");
    const { unmount } = render(
      <I18nProvider>
        <WorkersRegistryTable workers={WORKERS} />
      </I18nProvider>,
    );
    expect(screen.getAllByTestId("admin-worker-state").map((tag) => tag.textContent)).toEqual(["运行中", "空闲", "失联", "已停止"]);
    unmount();
    render(
      <I18nProvider>
        <WorkersRegistryTable workers={[]} />
      </I18nProvider>,
    );
    expect(screen.getByText(/storyreel worker/)).toBeInTheDocument();
  });
});
