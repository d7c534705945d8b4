/** Watch a render while it runs: its growing HLS playlist (`GET /projects/{id}/live`) in a
 * `<video>`, through hls.js where the browser has Media Source Extensions, else the browser's
 * own HLS (Safari on iOS). It says how much is ready and that more is coming; when playback
 * catches up with the render it says it waits for the next part. A fatal playback error shows
 * a quiet note and tries again, with a fresh link, from where it was. */
import { LoadingOutlined } from "@ant-design/icons";
import { Typography } from "antd";
import type Hls from "hls.js";
import { useEffect, useRef, useState, type ReactNode } from "react";
import { useT } from "../../i18n";
import type { Live } from "./api";

/** How long a failed live picture waits before it tries again. */
export const RETRY_MS = 3_000;
const HLS_TYPE = "application/vnd.apple.mpegurl";

/** Where the viewer is in the live picture (the final video picks up from there). */
export interface LivePosition {
  time: number;
  paused: boolean;
  ended: boolean;
}

/** The video's box, shaped like the project's frame (both players use it). */
export function PlayerFrame({ aspect, children }: { aspect: string; children: ReactNode }) {
  const ratio = aspect === "9:16" ? "9 / 16" : aspect === "1:1" ? "1 / 1" : "16 / 9";
  return (
    <div className="studio-player" style={{ aspectRatio: ratio, maxHeight: aspect === "9:16" ? 520 : undefined }}>
      {children}
    </div>
  );
}

interface Props {
  live: Live;
  aspect: string;
  /** Ask the server for a fresh link (a signed one expires); called before each retry. */
  onRetry: () => void;
  /** Where playback is, as it moves. */
  onPosition?: (position: LivePosition) => void;
}

export function LivePlayer({ live, aspect, onRetry, onPosition }: Props) {
  const t = useT();
  const video = useRef<HTMLVideoElement>(null);
  const position = useRef(0);
  // Whether to play once (re)loaded: yes at first, then as the viewer left it.
  const resume = useRef(true);
  // True from tearing a player down until the next one has loaded: the pause that detaching
  // makes is not the viewer's.
  const switching = useRef(false);
  // Counted from the playlist hls.js reloads; the browser's own HLS does not say, so then null.
  const [segments, setSegments] = useState<number | null>(live.segments_ready);
  const [ended, setEnded] = useState(live.ended);
  const [waiting, setWaiting] = useState(false);
  const [retrying, setRetrying] = useState(false);
  const [unsupported, setUnsupported] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const retryHandler = useRef(onRetry);
  useEffect(() => {
    retryHandler.current = onRetry;
  }, [onRetry]);

  const url = live.playlist_url;
  useEffect(() => {
    const element = video.current;
    if (!element) return;
    let hls: Hls | null = null;
    let timer: ReturnType<typeof setTimeout> | null = null;
    let gone = false;
    let mediaRecovered = false;
    const start = position.current;

    const tryAgain = () => {
      if (gone || timer) return;
      setRetrying(true);
      switching.current = true;
      hls?.destroy();
      hls = null;
      timer = setTimeout(() => {
        timer = null;
        retryHandler.current();
        setAttempt((n) => n + 1);
      }, RETRY_MS);
    };
    // A browser that refuses to start sound by itself leaves the play button to the viewer.
    const autoplay = () => {
      switching.current = false;
      if (resume.current) void element.play().catch(() => undefined);
    };
    const seekToStart = () => {
      if (start > 0) element.currentTime = start;
    };

    import("hls.js")
      .then(({ default: HlsJs }) => {
        if (gone) return;
        if (HlsJs.isSupported()) {
          const player = new HlsJs({ startPosition: start });
          hls = player;
          player.on(HlsJs.Events.LEVEL_LOADED, (_event, data) => {
            setSegments(data.details.fragments.length);
            setEnded(!data.details.live);
          });
          player.on(HlsJs.Events.MANIFEST_PARSED, autoplay);
          player.on(HlsJs.Events.ERROR, (_event, data) => {
            if (!data.fatal) return; // hls.js gets over these by itself
            if (data.type === HlsJs.ErrorTypes.MEDIA_ERROR && !mediaRecovered) {
              mediaRecovered = true; // the documented first step: rebuild the media buffers once
              player.recoverMediaError();
              return;
            }
            tryAgain();
          });
          player.loadSource(url);
          player.attachMedia(element);
        } else if (element.canPlayType(HLS_TYPE)) {
          setSegments(null);
          element.addEventListener("error", tryAgain);
          element.addEventListener("loadedmetadata", seekToStart, { once: true });
          element.src = url;
          autoplay();
        } else {
          setUnsupported(true);
        }
      })
      // The player's code could not be fetched (a dropped connection): the same quiet retry.
      .catch(tryAgain);

    return () => {
      gone = true;
      switching.current = true;
      if (timer) clearTimeout(timer);
      hls?.destroy();
      element.removeEventListener("error", tryAgain);
      element.removeEventListener("loadedmetadata", seekToStart);
      if (element.getAttribute("src")) {
        element.removeAttribute("src");
        element.load(); // stops the browser's own HLS from fetching on
      }
    };
  }, [url, attempt]);

  const report = (element: HTMLVideoElement) => {
    position.current = element.currentTime;
    onPosition?.({ time: element.currentTime, paused: element.paused, ended: element.ended });
  };

  const note = unsupported
    ? t("studio.live.unsupported")
    : retrying
      ? t("studio.live.retrying")
      : ended
        ? t("studio.live.ended")
        : waiting
          ? t("studio.live.waiting")
          : t("studio.live.more");
  const state = unsupported ? "unsupported" : retrying ? "retrying" : ended ? "ended" : waiting ? "waiting" : "growing";

  return (
    <section data-testid="live-player" data-task-id={live.task_id} data-state={state} aria-labelledby="live-player-title">
      <div style={{ display: "flex", alignItems: "center", gap: 8, marginBottom: 8, flexWrap: "wrap" }}>
        <span aria-hidden style={{ width: 8, height: 8, borderRadius: 4, background: "#e5484d", flex: "none" }} />
        <Typography.Text strong id="live-player-title" data-testid="live-label">
          {segments === null ? t("studio.live.labelPlain") : segments === 1 ? t("studio.live.labelOne") : t("studio.live.label", { n: segments })}
        </Typography.Text>
      </div>
      <PlayerFrame aspect={aspect}>
        <video
          ref={video}
          data-testid="live-video"
          controls
          playsInline
          aria-label={t("studio.live.playerLabel")}
          onPlaying={() => {
            setWaiting(false);
            setRetrying(false);
          }}
          onWaiting={() => setWaiting(true)}
          onTimeUpdate={(e) => report(e.currentTarget)}
          onPlay={() => (resume.current = true)}
          onPause={(e) => {
            // A pause the player makes itself (an error, the end) is not the viewer's choice.
            if (!switching.current && !e.currentTarget.ended && !e.currentTarget.error) resume.current = false;
            report(e.currentTarget);
          }}
          onEnded={(e) => report(e.currentTarget)}
        />
      </PlayerFrame>
      <Typography.Paragraph type="secondary" data-testid="live-note" role="status" style={{ fontSize: 12, margin: "6px 0 0" }}>
        {(retrying || (waiting && !ended)) && <LoadingOutlined aria-hidden style={{ marginInlineEnd: 6 }} />}
        {note}
      </Typography.Paragraph>
    </section>
  );
}
