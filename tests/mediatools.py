"""Make small media with the bundled FFmpeg and read rendered media back as numbers."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import av
import numpy as np

from storyreel.media.ffmpeg import find_ffmpeg


def ffmpeg(*args: str) -> str:
    """Run FFmpeg with arguments; return stderr (FFmpeg's measurement filters log there)."""
    proc = subprocess.run(
        [find_ffmpeg(), "-hide_banner", "-nostdin", "-y", *args],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-2000:])
    return proc.stderr


def make_image(path: Path, width: int = 640, height: int = 360, source: str = "testsrc2") -> Path:
    """A still picture from one of FFmpeg's test sources (``color=c=...`` works too)."""
    src = source if "=" in source else f"{source}=s={width}x{height}"
    if source.startswith("color="):
        src = f"{source}:s={width}x{height}"
    ffmpeg("-f", "lavfi", "-i", src, "-frames:v", "1", str(path))
    return path


def make_dot_image(path: Path, width: int, height: int, x: float, y: float, r: int) -> Path:
    """Dark grey picture with one bright dot whose centroid we can track frame by frame."""
    expr = f"if(lt(hypot(X-{x},Y-{y}),{r}),255,30)"
    ffmpeg(
        "-f", "lavfi", "-i", f"color=c=black:s={width}x{height},format=gray",
        "-vf", f"geq=lum='{expr}'", "-frames:v", "1", str(path),
    )  # fmt: skip
    return path


def make_tone(path: Path, seconds: float, freq: float = 440.0, volume: float = 0.5) -> Path:
    ffmpeg(
        "-f", "lavfi", "-i", f"sine=f={freq}:d={seconds}:sample_rate=44100",
        "-af", f"volume={volume}", str(path),
    )  # fmt: skip
    return path


def make_video(
    path: Path, seconds: float, width: int = 320, height: int = 240, fps: int = 25
) -> Path:
    """A test-pattern clip with a tone on its audio track."""
    ffmpeg(
        "-f", "lavfi", "-i", f"testsrc2=s={width}x{height}:r={fps}:d={seconds}",
        "-f", "lavfi", "-i", f"sine=f=1000:d={seconds}",
        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac",
        "-shortest", str(path),
    )  # fmt: skip
    return path


def write_timeline(folder: Path, data: dict[str, Any], name: str = "timeline.json") -> Path:
    path = folder / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def gray_frames(video: Path) -> list[np.ndarray]:
    """Every frame's luma plane as float32."""
    frames = []
    with av.open(str(video)) as container:
        for frame in container.decode(video=0):
            frames.append(frame.to_ndarray(format="gray").astype(np.float32))
    return frames


def frame_times(video: Path) -> list[float]:
    with av.open(str(video)) as container:
        return [float(f.time) for f in container.decode(video=0)]


def loudness(path: Path) -> dict[str, float]:
    """Integrated loudness (LUFS) and true peak (dBTP) measured by FFmpeg's ebur128."""
    log = ffmpeg("-i", str(path), "-vn", "-af", "ebur128=peak=true", "-f", "null", "-")
    summary = log[log.rfind("Summary:") :]
    i = float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1))  # type: ignore[union-attr]
    tp = float(re.search(r"Peak:\s+(-?[\d.inf]+) dBFS", summary).group(1))  # type: ignore[union-attr]
    return {"integrated": i, "true_peak": tp}


def atom_order(path: Path) -> list[str]:
    """Top-level MP4 box types in file order (faststart puts moov before mdat)."""
    order = []
    data = path.read_bytes()
    pos = 0
    while pos + 8 <= len(data):
        size = int.from_bytes(data[pos : pos + 4], "big")
        kind = data[pos + 4 : pos + 8].decode("latin-1")
        if size == 1:
            size = int.from_bytes(data[pos + 8 : pos + 16], "big")
        order.append(kind)
        if size < 8:
            break
        pos += size
    return order
