"""The command line as a user runs it: real processes, exit codes and messages."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from storyreel import __version__
from tests.mediatools import make_image, make_tone

ROOT = Path(__file__).resolve().parents[1]


def storyreel(
    *args: str, data_dir: Path, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "STORYREEL_DATA_DIR": str(data_dir), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "storyreel.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=300,
        check=False,
    )


def test_help_lists_commands_and_version(tmp_path: Path) -> None:
    result = storyreel("--help", data_dir=tmp_path)
    assert result.returncode == 0
    for command in ("render", "timeline"):
        assert command in result.stdout
    version = storyreel("--version", data_dir=tmp_path)
    assert version.stdout.strip() == f"storyreel {__version__}"


def test_schema_is_printed_as_json(tmp_path: Path) -> None:
    result = storyreel("timeline", "schema", data_dir=tmp_path)
    schema = json.loads(result.stdout)
    assert schema["properties"]["clips"]["type"] == "array"


@pytest.fixture
def media(tmp_path: Path) -> Path:
    make_image(tmp_path / "a.png", 128, 72)
    make_tone(tmp_path / "v.wav", 0.5)
    (tmp_path / "corrupt.png").write_bytes(b"\x89PNG not really")
    (tmp_path / "folder.png").mkdir()
    return tmp_path


def good() -> dict[str, Any]:
    return {
        "canvas": {"width": 128, "height": 72, "fps": 10},
        "clips": [{"source": "a.png", "duration": 1.0}, {"source": "a.png", "duration": 1.0}],
        "narration": [{"source": "v.wav", "start": 0.2}],
        "subtitles": [{"start": 0.1, "end": 1.5, "text": "ok"}],
    }


def patched(path: str, value: Any) -> dict[str, Any]:
    data = good()
    target: Any = data
    keys = path.split(".")
    for key in keys[:-1]:
        target = target[int(key)] if key.isdigit() else target[key]
    last = keys[-1]
    if last.isdigit():
        target[int(last)] = value
    else:
        target[last] = value
    return data


BAD_CASES = {
    "missing file": (patched("clips.0.source", "nope.png"), "clips[0].source", "not found"),
    "corrupt file": (patched("clips.1.source", "corrupt.png"), "clips[1].source", "not readable"),
    "not a file": (
        patched("clips.0.source", "folder.png"),
        "clips[0].source",
        "not a regular file",
    ),
    "missing audio": (
        patched("narration.0.source", "gone.wav"),
        "narration[0].source",
        "not found",
    ),
    "unknown motion": (
        patched("clips.0.motion", {"type": "spiral"}),
        "clips[0].motion.type",
        "spiral",
    ),
    "unknown transition": (
        patched("clips.1.transition", {"type": "swirl", "duration": 0.5}),
        "clips[1].transition.type",
        "swirl",
    ),
    "zero duration": (patched("clips.0.duration", 0), "clips[0].duration", "greater than 0"),
    "over an hour": (patched("clips.0.duration", 3601), "clips[0].duration", "3600"),
    "transition too long": (
        patched("clips.1.transition", {"type": "crossfade", "duration": 1.5}),
        "clips[1].transition.duration",
        "longer than the clip",
    ),
    "canvas too small": (patched("canvas.width", 32), "canvas.width", "64"),
    "canvas too big": (patched("canvas.height", 5000), "canvas.height", "4096"),
    "odd canvas": (patched("canvas.width", 127), "canvas.width", "even"),
    "fps too high": (patched("canvas.fps", 121), "canvas.fps", "120"),
    "fps zero": (patched("canvas.fps", 0), "canvas.fps", "1"),
    "subtitle past the end": (
        patched("subtitles.0", {"start": 1.0, "end": 9.0, "text": "late"}),
        "subtitles[0].end",
        "after the end",
    ),
}


@pytest.mark.parametrize("case", list(BAD_CASES))
def test_bad_timelines_are_rejected_before_ffmpeg(media: Path, case: str) -> None:
    data, path, needle = BAD_CASES[case]
    timeline = media / "t.json"
    timeline.write_text(json.dumps(data), encoding="utf-8")
    out = media / "out" / "film.mp4"
    result = storyreel("render", str(timeline), "-o", str(out), data_dir=media / "data")
    assert result.returncode == 2, result.stderr
    assert path in result.stderr and needle in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()
    assert not (media / "data" / "cache" / "render" / "segments").exists() or not list(
        (media / "data" / "cache" / "render" / "segments").iterdir()
    )


def test_invalid_json_is_rejected_with_its_position(tmp_path: Path) -> None:
    timeline = tmp_path / "t.json"
    timeline.write_text('{"clips": [\n  {"source": "a.png",}\n]}', encoding="utf-8")
    result = storyreel("render", str(timeline), "-o", str(tmp_path / "o.mp4"), data_dir=tmp_path)
    assert result.returncode == 2
    assert "invalid JSON at line 2" in result.stderr
    assert not (tmp_path / "o.mp4").exists()


def test_missing_timeline_file(tmp_path: Path) -> None:
    result = storyreel("render", str(tmp_path / "none.json"), "-o", "x.mp4", data_dir=tmp_path)
    assert result.returncode == 2
    assert "timeline file not found" in result.stderr


def test_several_problems_are_listed_together(media: Path) -> None:
    data = patched("canvas.width", 127)
    data["clips"][0]["source"] = "nope.png"
    data["clips"][1]["motion"] = {"type": "spiral"}
    timeline = media / "t.json"
    timeline.write_text(json.dumps(data), encoding="utf-8")
    result = storyreel("timeline", "check", str(timeline), data_dir=media / "data")
    assert result.returncode == 2
    for path in ("canvas.width", "clips[0].source", "clips[1].motion.type"):
        assert path in result.stderr


@pytest.mark.slow
def test_render_prints_a_summary_and_writes_outputs(media: Path) -> None:
    timeline = media / "t.json"
    timeline.write_text(json.dumps(good()), encoding="utf-8")
    out = media / "out" / "film.mp4"
    result = storyreel("render", str(timeline), "-o", str(out), "--jobs", "2", data_dir=media / "d")
    assert result.returncode == 0, result.stderr
    assert "wrote" in result.stdout and "2.00s" in result.stdout
    for name in ("film.mp4", "film.srt", "poster.jpg", "contact_sheet.jpg"):
        assert (media / "out" / name).is_file()


@pytest.mark.slow
def test_bundled_example_renders(tmp_path: Path) -> None:
    out = tmp_path / "example.mp4"
    result = storyreel(
        "render", "examples/timeline/timeline.json", "-o", str(out), "--preview",
        data_dir=tmp_path / "d", cwd=ROOT,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert out.stat().st_size > 10_000
    # Measured before it was called done: the example passes every quality check.
    assert "quality check: every check passed" in result.stdout


@pytest.mark.slow
@pytest.mark.parametrize("command", ["render", "make"])
def test_progress_display_in_a_real_terminal(tmp_path: Path, command: str) -> None:
    """Progress bars only draw on a terminal; run under a pseudo-terminal so they really do."""
    if command == "render":
        args = ["render", str(ROOT / "examples/timeline/timeline.json"), "--preview"]
    else:
        args = ["make", str(ROOT / "examples/stories/lighthouse.en.txt"), "--preview"]
        args += ["--length", "12s"]
    cli = shlex.join([sys.executable, "-m", "storyreel.cli", *args, "-o", str(tmp_path / "o.mp4")])
    result = subprocess.run(
        ["script", "-qec", cli, "/dev/null"],
        capture_output=True,
        text=True,
        env={**os.environ, "STORYREEL_DATA_DIR": str(tmp_path / "d"), "COLUMNS": "120"},
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-2000:]
    assert "Traceback" not in result.stdout
    assert "━" in result.stdout  # the bar was drawn
    assert (tmp_path / "o.mp4").is_file()


def test_providers_shows_the_route_readiness_and_prices(tmp_path: Path) -> None:
    result = storyreel(
        "providers",
        data_dir=tmp_path,
        env={
            "COLUMNS": "250",
            "STORYREEL_ROUTES__IMAGE": '{"providers": ["openai", "sketch"]}',
            "STORYREEL_OPENAI_IMAGE__PRICE_PER_IMAGE": "0.04",
        },
    )
    assert result.returncode == 0, result.stderr
    rows = {tuple(line.split()[:3]) for line in result.stdout.splitlines() if line.strip()}
    assert ("image", "openai", "1") in rows and ("image", "sketch", "2") in rows
    openai = next(
        line
        for line in result.stdout.splitlines()
        if line.startswith("image  ") and " openai " in line
    )
    assert "NOT READY" in openai and "STORYREEL_OPENAI_IMAGE__API_KEY" in openai
    sketch = next(line for line in result.stdout.splitlines() if " sketch " in line)
    assert "ready" in sketch and sketch.rstrip().endswith("free")
