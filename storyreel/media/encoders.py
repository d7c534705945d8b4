"""Which H.264 encoder renders segments: x264 on the CPU, or NVENC where FFmpeg sees an NVIDIA
GPU (cluster GPU workers). Chosen once per process by ``STORYREEL_RENDER_ENCODER``:

- ``auto`` (default): NVENC when it really works here, else x264;
- ``nvenc``: NVENC, falling back to x264 (with a warning naming the setting) when it does not
  work — a GPU is never required;
- ``x264``: always the CPU encoder.

"Really works" means FFmpeg lists ``h264_nvenc`` *and* a tiny test encode succeeds: FFmpeg
builds (the bundled one included) list NVENC on machines without a GPU or driver, where it
fails at the first frame.
"""

from __future__ import annotations

import functools
import logging
import subprocess
from typing import Literal

log = logging.getLogger(__name__)

EncoderSetting = Literal["auto", "x264", "nvenc"]
Codec = Literal["x264", "nvenc"]
_PROBE_TIMEOUT_S = 30.0


def _trial_encode(ffmpeg: str) -> list[str]:
    return [
        ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error",
        "-f", "lavfi", "-i", "testsrc2=s=256x144:r=30", "-frames:v", "8",
        "-c:v", "h264_nvenc", "-pix_fmt", "yuv420p", "-f", "null", "-",
    ]  # fmt: skip


@functools.lru_cache(maxsize=8)
def nvenc_works(ffmpeg: str) -> bool:
    """Whether this FFmpeg can encode H.264 with NVENC on this machine (checked once)."""
    try:
        listed = subprocess.run(
            [ffmpeg, "-hide_banner", "-nostdin", "-encoders"],
            capture_output=True,
            text=True,
            timeout=_PROBE_TIMEOUT_S,
            check=False,
        )
        if "h264_nvenc" not in listed.stdout:
            return False
        # NVENC refuses frames smaller than about 145×49; 256×144 is safely above.
        trial = subprocess.run(
            _trial_encode(ffmpeg),
            capture_output=True,
            text=True,
            timeout=_PROBE_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return trial.returncode == 0


def choose_codec(ffmpeg: str, setting: EncoderSetting) -> Codec:
    """The encoder segments are made with, from the setting and what the machine can do."""
    if setting == "x264":
        return "x264"
    if nvenc_works(ffmpeg):
        return "nvenc"
    if setting == "nvenc":
        log.warning(
            "STORYREEL_RENDER_ENCODER=nvenc, but this FFmpeg cannot encode with NVENC here (no "
            "NVIDIA GPU or driver visible); rendering with x264 instead"
        )
    return "x264"
