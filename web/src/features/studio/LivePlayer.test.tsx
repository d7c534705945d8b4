import { act, cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { I18nProvider } from "../../i18n";
import { FakeHls } from "../../test/fakeHls";
import type { Live } from "./api";
import { LivePlayer, RETRY_MS } from "./LivePlayer";

vi.mock("hls.js", async () => ({ default: (await import("../../test/fakeHls")).FakeHls }));

const LIVE: Live = {
  task_id: "t-render",
  status: "running",
  quality: "final",
  playlist_url: "/api/v1/live/t-render/playlist.m3u8?expires=9999999999&sig=abc",
  segments_ready: 2,
  ended: false,
};

function show(live: Live = LIVE, lang: "en" | "zh" = "en", onRetry = vi.fn()) {
  localStorage.setItem("storyreel.lang", lang);
  const view = render(
    <I18nProvider>
      <LivePlayer live={live} aspect="16:9" onRetry={onRetry} />
    </I18nProvider>,
  );
  return { ...view, onRetry, video: screen.getByTestId("live-video") as HTMLVideoElement };
}

/** Where the (fake) playback is: jsdom's media elements do not play. */
function playedTo(video: HTMLVideoElement, seconds: number) {
  Object.defineProperty(video, "currentTime", { value: seconds, configurable: true, writable: true });
  fireEvent.timeUpdate(video);
}

describe("LivePlayer", () => {
  let play: ReturnType<typeof vi.fn<() => Promise<void>>>;

  beforeEach(() => {
    FakeHls.reset();
    play = vi.fn(() => Promise.resolve());
    vi.spyOn(HTMLMediaElement.prototype, "play").mockImplementation(play);
    vi.spyOn(HTMLMediaElement.prototype, "load").mockImplementation(() => undefined);
  });

  afterEach(() => {
    cleanup();
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it("plays the playlist through hls.js from the start and counts the segments as it grows", async () => {
    const { video } = show();
    await waitFor(() => expect(FakeHls.instances).toHaveLength(1));
    const player = FakeHls.last;
    expect(player.source).toBe(LIVE.playlist_url);
    expect(player.media).toBe(video);
    expect(player.config.startPosition).toBe(0);
    expect(screen.getByTestId("live-label")).toHaveTextContent("Live — rendering, 2 segments ready");
    expect(screen.getByTestId("live-note")).toHaveTextContent("Later parts are still being made");

    act(() => player.emit(FakeHls.Events.MANIFEST_PARSED));
    expect(play).toHaveBeenCalledTimes(1);

    act(() => player.playlist(5, false));
    expect(screen.getByTestId("live-label")).toHaveTextContent("Live — rendering, 5 segments ready");
    expect(screen.getByTestId("live-player")).toHaveAttribute("data-state", "growing");
  });

  it("counts one segment in the singular", () => {
    show({ ...LIVE, segments_ready: 1 });
    expect(screen.getByTestId("live-label")).toHaveTextContent(/^Live — rendering, 1 segment ready$/);
  });

  it("says it waits for the next part when playback catches up with the render", async () => {
    const { video } = show();
    await waitFor(() => expect(FakeHls.instances).toHaveLength(1));
    fireEvent.waiting(video);
    expect(screen.getByTestId("live-note")).toHaveTextContent("Waiting for the next part…");
    fireEvent.playing(video);
    expect(screen.getByTestId("live-note")).toHaveTextContent("Later parts are still being made");
  });

  it("says the film is all there once the playlist ends", async () => {
    show();
    await waitFor(() => expect(FakeHls.instances).toHaveLength(1));
    act(() => FakeHls.last.playlist(7, true));
    expect(screen.getByTestId("live-player")).toHaveAttribute("data-state", "ended");
    expect(screen.getByTestId("live-note")).toHaveTextContent("Rendered in full — the final video replaces this once it is checked and saved.");
    expect(screen.getByTestId("live-label")).toHaveTextContent("7 segments ready");
  });

  it("speaks Chinese", async () => {
    show(LIVE, "zh");
    await waitFor(() => expect(FakeHls.instances).toHaveLength(1));
    expect(screen.getByTestId("live-label")).toHaveTextContent("实时预览 — 渲染中，已完成 2 段");
    expect(screen.getByTestId("live-note")).toHaveTextContent("后面的部分还在制作中");
  });

  it("after a fatal error says so quietly, asks for a fresh link and tries again from where it was", async () => {
    const { video, onRetry } = show();
    await waitFor(() => expect(FakeHls.instances).toHaveLength(1));
    const first = FakeHls.last;
    playedTo(video, 7.5);

    // Errors hls.js gets over by itself change nothing.
    act(() => first.emit(FakeHls.Events.ERROR, { fatal: false, type: FakeHls.ErrorTypes.NETWORK_ERROR }));
    expect(screen.getByTestId("live-player")).toHaveAttribute("data-state", "growing");

    vi.useFakeTimers();
    act(() => first.emit(FakeHls.Events.ERROR, { fatal: true, type: FakeHls.ErrorTypes.NETWORK_ERROR }));
    expect(screen.getByTestId("live-note")).toHaveTextContent("The live picture stalled; trying again…");
    expect(first.destroyed).toBe(true);
    expect(onRetry).not.toHaveBeenCalled();

    act(() => vi.advanceTimersByTime(RETRY_MS));
    expect(onRetry).toHaveBeenCalledTimes(1);
    vi.useRealTimers();
    await waitFor(() => expect(FakeHls.instances).toHaveLength(2));
    expect(FakeHls.last.config.startPosition).toBe(7.5);
    expect(FakeHls.last.source).toBe(LIVE.playlist_url);

    // Playing again clears the note.
    fireEvent.playing(video);
    expect(screen.getByTestId("live-note")).toHaveTextContent("Later parts are still being made");
  });

  it("first rebuilds the media buffers after a fatal media error, and retries only if that fails", async () => {
    show();
    await waitFor(() => expect(FakeHls.instances).toHaveLength(1));
    const player = FakeHls.last;
    act(() => player.emit(FakeHls.Events.ERROR, { fatal: true, type: FakeHls.ErrorTypes.MEDIA_ERROR }));
    expect(player.mediaRecoveries).toBe(1);
    expect(player.destroyed).toBe(false);
    act(() => player.emit(FakeHls.Events.ERROR, { fatal: true, type: FakeHls.ErrorTypes.MEDIA_ERROR }));
    expect(player.destroyed).toBe(true);
    expect(screen.getByTestId("live-player")).toHaveAttribute("data-state", "retrying");
  });

  it("plays on after a retry only if the viewer had not paused it", async () => {
    const { video } = show();
    await waitFor(() => expect(FakeHls.instances).toHaveLength(1));
    fireEvent.pause(video);
    vi.useFakeTimers();
    act(() => FakeHls.last.emit(FakeHls.Events.ERROR, { fatal: true, type: FakeHls.ErrorTypes.NETWORK_ERROR }));
    act(() => vi.advanceTimersByTime(RETRY_MS));
    vi.useRealTimers();
    await waitFor(() => expect(FakeHls.instances).toHaveLength(2));
    act(() => FakeHls.last.emit(FakeHls.Events.MANIFEST_PARSED));
    expect(play).not.toHaveBeenCalled();
  });

  it("uses the browser's own HLS only where hls.js is unsupported", async () => {
    FakeHls.supported = false;
    vi.spyOn(HTMLMediaElement.prototype, "canPlayType").mockImplementation((type) => (type === "application/vnd.apple.mpegurl" ? "maybe" : ""));
    const { video, unmount } = show();
    await waitFor(() => expect(video.getAttribute("src")).toBe(LIVE.playlist_url));
    expect(FakeHls.instances).toHaveLength(0);
    expect(play).toHaveBeenCalled();
    // The browser does not say how many segments it has.
    expect(screen.getByTestId("live-label")).toHaveTextContent(/^Live — rendering$/);
    unmount();
    expect(video.getAttribute("src")).toBeNull();
  });

  it("says so where the browser can play neither", async () => {
    FakeHls.supported = false;
    vi.spyOn(HTMLMediaElement.prototype, "canPlayType").mockReturnValue("");
    show();
    await waitFor(() => expect(screen.getByTestId("live-player")).toHaveAttribute("data-state", "unsupported"));
    expect(screen.getByTestId("live-note")).toHaveTextContent("This browser cannot play the video while it renders");
  });

  it("destroys its hls.js player when it goes away", async () => {
    const { unmount } = show();
    await waitFor(() => expect(FakeHls.instances).toHaveLength(1));
    unmount();
    expect(FakeHls.last.destroyed).toBe(true);
  });
});
