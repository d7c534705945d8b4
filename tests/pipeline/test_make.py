"""`storyreel make` end to end: offline providers, real FFmpeg, real files."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from storyreel.domain.project import ProjectOptions
from storyreel.domain.storyboard import Storyboard
from storyreel.domain.timeline import Timeline
from storyreel.media.probe import probe
from storyreel.pipeline.engine import Platform
from storyreel.pipeline.make import MakeResult, make_film
from storyreel.settings import Settings
from tests.mediatools import loudness

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

pytestmark = pytest.mark.slow


def opening(name: str, chars: int) -> str:
    """The story's first paragraphs, at least ``chars`` characters: a whole story with its
    scenes and recurring characters, short enough that rendering it stays a few seconds."""
    taken: list[str] = []
    for paragraph in (FIXTURES / name).read_text(encoding="utf-8").split("\n\n"):
        taken.append(paragraph)
        if sum(map(len, taken)) >= chars:
            break
    return "\n\n".join(taken)


def run_cli(
    *args: str, data_dir: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "storyreel.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "STORYREEL_DATA_DIR": str(data_dir), **(env or {})},
        timeout=600,
        check=False,
    )


def make(
    settings: Settings, out: Path, story: str | None = None, board: Storyboard | None = None
) -> MakeResult:
    """What ``storyreel make`` does: an embedded platform runs the film's project."""
    options = ProjectOptions(style="watercolor", quality="preview")
    platform = Platform.embedded(settings).start()
    try:
        return make_film(platform, out, options, story=story, board=board)
    finally:
        platform.stop()


def check_video(result: MakeResult) -> Timeline:
    timeline = Timeline.model_validate_json(result.timeline.read_text(encoding="utf-8"))
    info = probe(result.video)
    assert info.video is not None and info.audio is not None
    assert info.duration is not None and abs(info.duration - timeline.duration) < 0.1
    # The video lasts as long as the narration needs: every voice fits inside it.
    last = timeline.narration[-1]
    assert last.start < timeline.duration
    assert timeline.subtitles and timeline.music is not None
    assert result.video.with_suffix(".srt").read_text(encoding="utf-8").strip()
    for name in ("storyboard.json", "timeline.json", "contact_sheet.jpg", "poster.jpg"):
        assert (result.video.parent / name).is_file()
    level = loudness(result.video)
    assert abs(level["integrated"] + 16) <= 1.5 and level["true_peak"] <= -1.0
    return timeline


def test_chinese_story_to_video_then_nothing_twice_then_one_edit(
    settings: Settings, tmp_path: Path
) -> None:
    story = opening("story_zh.txt", 350)
    out = tmp_path / "zh" / "film.mp4"
    first = make(settings, out, story=story)
    timeline = check_video(first)
    assert first.board.language == "zh"
    assert any("\u4e00" <= ch <= "\u9fff" for s in timeline.subtitles for ch in s.text)
    assert first.stages["images"].generated == len(first.board.shots)

    # The same story again: the same project, nothing is generated or encoded — not even a
    # re-mux: its render is done and nothing it depends on changed.
    again = make(settings, out, story=story)
    assert again.project_id == first.project_id
    for stage in ("storyboard", "images", "voices", "motion", "music", "render"):
        assert again.stages[stage].generated == 0, stage
        assert again.stages[stage].cached == 0, stage
    assert again.render.segment_keys == first.render.segment_keys
    check_video(again)

    # Edit one shot's prompt in storyboard.json: only that picture is redrawn, and only the
    # segments showing it (its own and the next shot's entry transition) are re-encoded.
    board = Storyboard.model_validate_json(first.storyboard.read_text(encoding="utf-8"))
    k = len(board.shots) // 2
    board.shots[k].visual_prompt = "a red kite over the harbour at dusk"
    edited = make(settings, out, board=board)
    assert edited.stages["images"].generated == 1
    assert edited.stages["voices"].generated == 0
    keys_before, keys_after = first.render.segment_keys, edited.render.segment_keys
    changed = {i for i, (a, b) in enumerate(zip(keys_before, keys_after, strict=True)) if a != b}
    assert changed == {k, k + 1}
    assert set(edited.render.encoded_segments) == {keys_after[k], keys_after[k + 1]}
    assert edited.render.audio_reused


def test_english_story_through_the_cli(tmp_path: Path) -> None:
    out = tmp_path / "en" / "film.mp4"
    result = run_cli(
        "make", str(FIXTURES / "story_en.txt"), "-o", str(out),
        "--style", "comic", "--music", "joyful", "--preview", "--seed", "3", "--length", "40s",
        data_dir=tmp_path / "data",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "wrote" in result.stdout
    board = Storyboard.model_validate_json((out.parent / "storyboard.json").read_text("utf-8"))
    assert board.language == "en" and board.style == "comic"
    timeline = json.loads((out.parent / "timeline.json").read_text("utf-8"))
    assert len(timeline["clips"]) == len(board.shots)
    info = probe(out)
    assert info.video is not None and info.video.height == 480  # --preview
    # The timeline beside the video renders on its own.
    again = run_cli(
        "render",
        str(out.parent / "timeline.json"),
        "-o",
        str(tmp_path / "again.mp4"),
        data_dir=tmp_path / "data",
    )
    assert again.returncode == 0, again.stderr
    assert "0 segment(s) encoded" in again.stdout.replace("\n", " ")


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["missing.txt"], "not found"),
        (["empty.txt"], "empty"),
        (["binary.txt"], "binary"),
        (["ok.txt", "--style", "vaporwave"], "unknown style"),
        (["ok.txt", "--aspect", "4:3"], "unknown --aspect"),
        (["ok.txt", "--voice", "klingon"], "unknown --voice"),
        (["ok.txt", "--music", "polka"], "unknown --music"),
        (["ok.txt", "--length", "soon"], "not a length"),
        (["ok.txt", "-o", "film.mov"], ".mp4"),
        (["--from", "bad_storyboard.json"], "shots[0].shot_type"),
    ],
)
def test_bad_input_gets_a_clear_message(tmp_path: Path, args: list[str], needle: str) -> None:
    (tmp_path / "empty.txt").write_text("  \n", encoding="utf-8")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02\x03" * 100)
    (tmp_path / "ok.txt").write_text("A short story about a cat.", encoding="utf-8")
    (tmp_path / "bad_storyboard.json").write_text(
        json.dumps(
            {
                "title": "t",
                "language": "en",
                "style": "anime",
                "shots": [
                    {"id": "a", "narration": "x", "visual_prompt": "y", "shot_type": "drone"}
                ],
            }
        ),
        encoding="utf-8",
    )
    full = [a if not a.endswith((".txt", ".json", ".mov")) else str(tmp_path / a) for a in args]
    if "-o" not in full:
        full += ["-o", str(tmp_path / "out.mp4")]
    result = run_cli("make", *full, data_dir=tmp_path / "data")
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert needle in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out.mp4").exists()


def test_story_over_the_limit_names_the_setting(tmp_path: Path) -> None:
    story = tmp_path / "long.txt"
    story.write_text("word " * 400, encoding="utf-8")
    result = run_cli(
        "make", str(story), "-o", str(tmp_path / "o.mp4"),
        data_dir=tmp_path / "data", env={"STORYREEL_MAX_STORY_CHARS": "500"},
    )  # fmt: skip
    assert result.returncode == 2
    assert "STORYREEL_MAX_STORY_CHARS" in result.stderr and "500" in result.stderr


def test_target_length_is_honoured_with_real_narration(settings: Settings) -> None:
    from storyreel.pipeline import steps
    from storyreel.pipeline.context import PipelineContext
    from storyreel.pipeline.handlers.storyboard import fit_to_length, write_storyboard
    from storyreel.pipeline.timeline import video_seconds
    from storyreel.providers.base import VoiceSpec

    story = (FIXTURES / "story_zh.txt").read_text(encoding="utf-8")
    ctx = PipelineContext.create(settings)
    options = ProjectOptions(style="ink_wash", target_seconds=60)
    first, _ = write_storyboard(ctx, story, options)
    board = fit_to_length(ctx, story, first, options, 60)
    spec = VoiceSpec(language=board.language)
    seconds = video_seconds(
        board, [steps.make_voice(ctx, s.narration, spec).duration for s in board.shots]
    )
    assert 45 <= seconds <= 66, seconds
    assert len(board.shots) < len(first.shots) or seconds <= 66


def test_a_made_film_is_a_project_with_the_moves_the_studio_would_give(
    settings: Settings, tmp_path: Path
) -> None:
    """`make` and a project made through the API's path (create_project on the engine) turn one
    storyboard into the same camera moves; the film shows in `storyreel project list`."""
    from storyreel.db.repositories import projects as projects_repo
    from storyreel.pipeline.project import create_project, plan_render

    story = opening("story_en.txt", 400)
    made = make(settings, tmp_path / "cli" / "film.mp4", story=story)
    made_moves = [
        clip["motion"]["type"]
        for clip in json.loads(made.timeline.read_text(encoding="utf-8"))["clips"]
    ]

    platform = Platform.embedded(settings).start()
    try:
        with platform.session() as s:
            options = ProjectOptions(style="watercolor", quality="preview", auto=False)
            project, _ = create_project(s, platform.kinds, story, options, owner_id=None)
        platform.wait_for_project(project.id, 120)
        with platform.session() as s:
            fresh = projects_repo.get(s, project.id)
            assert fresh is not None
            plan_render(s, platform.kinds, fresh, quality="preview")
        platform.wait_for_project(project.id, 300)
        with platform.session() as s:
            studio_moves = [
                (shot.motion or {})["type"] for shot in projects_repo.shots(s, project.id)
            ]
    finally:
        platform.stop()
    assert studio_moves == made_moves
    assert len(set(made_moves)) > 1  # the moves vary: no shot repeats the one before it
    assert all(a != b for a, b in itertools.pairwise(made_moves))

    listed = run_cli("project", "list", data_dir=settings.data_dir)
    assert listed.returncode == 0, listed.stderr
    assert made.project_id in listed.stdout


def test_pictures_that_fell_back_to_sketches_are_said_with_the_setting_to_fix(
    tmp_path: Path,
) -> None:
    from tests.providers.fake_media_servers import FakeImageAPI

    with FakeImageAPI(api_key="sk-right") as api:
        settings = Settings(
            data_dir=tmp_path / "data",
            render_jobs=2,
            openai_image={"base_url": f"{api.url}/v1", "api_key": "sk-wrong"},
            routes={"image": {"providers": ["openai", "sketch"]}},
        )
        result = make(settings, tmp_path / "film" / "film.mp4", story=opening("story_en.txt", 300))
    shots = len(result.board.shots)
    [line] = result.fallbacks
    assert line.startswith(
        f"pictures: fell back from openai to sketch for {shots} of {shots} shots"
    )
    assert "HTTP 401" in line and "set STORYREEL_OPENAI_IMAGE__API_KEY" in line
    assert "platform.openai.com" not in line
    assert result.video.is_file()
