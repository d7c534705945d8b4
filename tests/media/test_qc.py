"""The quality check: crafted bad films rendered by the real Renderer are each caught by the
right check with a message naming the shot, a normal film passes every check, and the pure
parts (span maths, judges, the report's JSON, settings) behave."""

from __future__ import annotations

import dataclasses
import json
import math
import re
import wave
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from storyreel.domain.storyboard import Shot, Storyboard
from storyreel.domain.timeline import Clip, Motion, Subtitle, Timeline, Transition
from storyreel.media import plan as planning
from storyreel.media import spans as sp
from storyreel.media.audio import AudioLayer, MixSpec, MusicBed, stems_filtergraph
from storyreel.media.measure import (
    Box,
    Loudness,
    StreamLengths,
    parse_ebur128,
    parse_picture_metadata,
)
from storyreel.media.qc import QcReport, check_render
from storyreel.media.qc_judges import (
    cue_offset,
    judge_av_sync,
    judge_black,
    judge_cue_timing,
    judge_freeze,
    judge_loudness,
    judge_music_under_speech,
    judge_narration_silent,
    judge_safe_area,
    judge_subtitle_lines,
    judge_true_peak,
    judge_unplanned_speech,
    safe_box,
)
from storyreel.media.qc_report import AudioMeasurements, QcCheck, QcFinding, Track
from storyreel.media.render import Renderer, RenderResult, audio_key, mix_spec
from storyreel.media.sources import resolve_sources
from storyreel.media.subtitles import Cue
from storyreel.media.vad import FRAME_S, probabilities_to_spans, refine_onsets
from storyreel.pipeline.timeline import ShotMedia, build_timeline
from storyreel.providers.base import VoiceSpec
from storyreel.providers.music.ambient import AmbientMusic
from storyreel.providers.voice.espeak import EspeakSynthesizer
from storyreel.settings import QcSettings, Settings
from tests.mediatools import ffmpeg, make_image

FPS = 12  # few frames: the checks do not depend on the rate, and renders stay fast

# --- pure: spans --------------------------------------------------------------------------


def test_spans_merge_subtract_and_name_the_shot_coming_in() -> None:
    assert sp.merge([(3, 4), (0, 1), (0.5, 2), (4.05, 5)], gap=0.1) == [(0, 2), (3, 5)]
    assert sp.subtract((0, 10), [(2, 3), (2.5, 4), (9, 12)]) == [(0, 2), (4, 9)]
    assert sp.intersect([(0, 2), (5, 8)], (1, 6)) == [(1, 2), (5, 6)]
    starts = (0.0, 4.5, 9.0)
    assert [sp.shot_at(t, starts) for t in (0, 4.49, 4.5, 8.9, 30)] == [1, 1, 2, 2, 3]
    assert (sp.clock(12.44), sp.clock(245.0), sp.clock(59.96)) == ("0:12.4", "4:05.0", "1:00.0")


# --- pure: judges -------------------------------------------------------------------------


def track(**kw: Any) -> Track:
    base: dict[str, Any] = {
        "clip_starts": (0.0, 10.0, 20.0),
        "clip_ends": (10.5, 20.5, 30.0),
        "narration": ((1.0, 8.0), (11.0, 18.0), (21.0, 28.0)),
        "stills": (),
        "duration": 30.0,
        "fps": 25.0,
    }
    return Track(**(base | kw))


def audio(**kw: Any) -> AudioMeasurements:
    blocks = 300
    base: dict[str, Any] = {
        "speech": ((1.0, 8.0), (11.0, 18.0), (21.0, 28.0)),
        "other_speech": (),
        "voice_db": tuple([-20.0] * blocks),
        "music_db": tuple([-40.0] * blocks),
        "has_music": True,
    }
    return AudioMeasurements(**(base | kw))


def test_silent_narration_names_the_shot_and_the_silent_stretch() -> None:
    heard = [(1.0, 8.0), (11.0, 12.4), (17.0, 18.0), (21.0, 28.0)]
    check = judge_narration_silent(heard, track(), min_s=1.5)
    assert check.status == "fail"
    assert check.message == "Shot 2's narration is silent from 0:12.4 to 0:17.0 (4.6 s)."
    assert check.findings[0].shot == 2 and check.findings[0].start == pytest.approx(12.4)
    # A pause shorter than the threshold is a pause, not silence.
    assert judge_narration_silent(heard, track(), min_s=5).status == "pass"
    assert judge_narration_silent(heard, track(narration=()), min_s=1).status == "skipped"


def test_music_too_close_to_the_voice_is_named_with_its_margin_and_time() -> None:
    music = [-40.0] * 300
    music[320 // 10 : 80] = [-24.1] * (80 - 32)  # 4.1 dB under the voice from 3.2 s to 8 s
    check = judge_music_under_speech(audio(music_db=tuple(music)), track(), min_db=8)
    assert check.status == "fail"
    assert check.message.startswith("The music is only 4.1 dB under the narration at 0:02.")
    assert "(shot 1; needs 8 dB)" in check.message
    assert check.measured["min_margin_db"] == pytest.approx(4.1, abs=0.05)
    assert judge_music_under_speech(audio(), track(), min_db=8).status == "pass"
    assert judge_music_under_speech(audio(has_music=False), track(), 8).status == "skipped"


def test_black_stretches_split_by_segments_are_joined_and_named() -> None:
    # Two segments' black, back to back, make one stretch across the cut into shot 2.
    check = judge_black([(9.6, 10.0), (10.0, 10.7)], track(), min_s=1.0)
    assert check.status == "fail"
    assert check.message == "The picture is black from 0:09.6 to 0:10.7 (1.1 s, shots 1–2)."
    assert judge_black([(9.6, 10.0)], track(), min_s=1.0).status == "pass"


def test_a_planned_still_and_black_are_not_frozen_but_a_stuck_move_is() -> None:
    still = track(stills=((10.0, 20.5),))
    assert judge_freeze([(10.2, 20.3)], [], still, min_s=2).status == "pass"
    assert judge_freeze([(1.0, 6.0)], [(0.5, 6.5)], still, min_s=2).status == "pass"
    check = judge_freeze([(10.2, 20.3), (22.0, 25.5)], [], still, min_s=2)
    assert check.status == "fail"
    assert (
        check.message == "Shot 3 stands still from 0:22.0 to 0:25.5 (3.5 s) though it should move."
    )


def test_unplanned_speech_says_whether_it_is_in_the_music_or_a_clips_sound() -> None:
    voice = [-80.0] * 300
    voice[200:260] = [-18.0] * 60  # shot 3's own sound is loud from 20 s to 26 s
    in_clip = audio(other_speech=((20.0, 26.0),), voice_db=tuple(voice))
    check = judge_unplanned_speech(in_clip, track(), min_s=1)
    assert check.message == (
        "Someone speaks in shot 3's own sound from 0:20.0 to 0:26.0, where no narration is planned."
    )
    in_music = audio(other_speech=((8.5, 10.5),), voice_db=tuple([-90.0] * 300))
    assert "speaks in the music from 0:08.5" in judge_unplanned_speech(in_music, track(), 1).message
    short = audio(other_speech=((8.5, 9.0),))
    assert judge_unplanned_speech(short, track(), min_s=1).status == "pass"


def test_a_cue_is_on_time_when_it_starts_with_its_speech_or_continues_a_sentence() -> None:
    speech = [(1.0, 4.0), (5.0, 8.0)]
    first = Cue(0.9, 2.5, "Once upon a time")
    assert cue_offset(first, [], speech) == pytest.approx(0.1)
    # Speech that began under the previous cue is carried on by this one.
    assert cue_offset(Cue(2.5, 4.0, "there was"), [first], speech) == 0.0
    # A cue that comes up a second after its sentence began is late...
    assert cue_offset(Cue(6.0, 8.0, "late"), [first], speech) == pytest.approx(1.0)
    # ...one a second early is early, and one over silence carries nothing.
    assert cue_offset(Cue(4.0, 6.0, "early"), [], speech) == pytest.approx(1.0)
    assert cue_offset(Cue(8.5, 9.0, "nobody"), [], speech) is None
    cues = [first, Cue(12.0, 14.0, "A line spoken much later")]
    check = judge_cue_timing(cues, [(1.0, 8.0), (13.1, 15.0)], track(), max_ms=200)
    assert check.status == "fail"
    assert check.message == (
        "The subtitle “A line spoken much later” in shot 2 appears 1.10 s before its words "
        "are spoken (0:12.0; within 0.2 s needed)."
    )


def test_safe_area_and_line_count_name_the_cue() -> None:
    assert safe_box(854, 480, 0.9) == Box(43, 24, 811, 456)
    cues = [Cue(11.0, 12.0, "fits"), Cue(21.0, 22.0, "too wide")]
    boxes = [Box(300, 420, 550, 448), Box(30, 420, 830, 448)]
    check = judge_safe_area(boxes, cues, track(), width=854, height=480, fraction=0.9)
    assert check.message == (
        "The subtitle “too wide” in shot 3 (0:21.0) reaches 19 px past the title-safe area "
        "(90% of the frame)."
    )
    three = Cue(1.0, 2.0, "one\ntwo\nthree")
    bilingual = Cue(3.0, 4.0, "one\ntwo", second="un\ndeux")
    lines = judge_subtitle_lines([three, bilingual], track(), max_lines=2)
    assert lines.status == "fail" and len(lines.findings) == 1
    assert (
        lines.message == "The subtitle “one two three” in shot 1 (0:01.0) has 3 lines (at most 2)."
    )


def test_sync_loudness_and_peak_against_their_thresholds() -> None:
    assert judge_av_sync(StreamLengths(10.0, 10.03), fps=30, limit_frames=1).status == "pass"
    late = judge_av_sync(StreamLengths(10.0, 10.5), fps=30, limit_frames=1)
    assert late.message.startswith("The sound runs 0.50 s (15.0 frames) longer than the picture")
    assert judge_loudness(Loudness(-16.6, -2.0), -16, 1).status == "pass"
    quiet = judge_loudness(Loudness(-19.5, -6.0), -16, 1)
    assert quiet.message.startswith("The film is too quiet: -19.5 LUFS, 3.5 LU from the -16 LUFS")
    assert judge_loudness(Loudness(-math.inf, -math.inf), -16, 1).status == "fail"
    assert judge_true_peak(Loudness(-16, -0.4), -1, 0).status == "fail"
    assert judge_true_peak(Loudness(-16, -0.4), -1, 1).status == "pass"


def test_the_report_round_trips_through_json_and_decides_the_outcome() -> None:
    failed = QcCheck(
        "black",
        "fail",
        "The picture is black from 0:01.0 to 0:03.0 (2.0 s, shot 1).",
        {"longest_s": 2.0},
        {"min_s": 1.0},
        (QcFinding("...", 1.0, 3.0, 1),),
    )
    report = QcReport((failed, QcCheck("loudness", "pass", "ok")), elapsed_s=1.25)
    again = QcReport.from_dict(json.loads(json.dumps(report.to_dict())))
    assert again == report
    assert not report.ok and report.failures == [failed]
    assert report.outcome("attention") == "attention" and report.outcome("fail") == "failed"
    assert QcReport((QcCheck("loudness", "pass", "ok"),)).outcome("fail") == "ok"
    with pytest.raises(ValueError, match="not a quality check"):
        QcCheck.from_dict({"name": "vibes", "status": "pass", "message": ""})


def test_thresholds_come_from_settings_and_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("STORYREEL_QC__MUSIC_UNDER_SPEECH_DB", "12")
    monkeypatch.setenv("STORYREEL_QC__ON_FAILURE", "fail")
    qc = Settings(data_dir=tmp_path).qc
    assert (qc.music_under_speech_db, qc.on_failure, qc.cue_offset_ms) == (12, "fail", 200)
    with pytest.raises(ValueError):
        QcSettings(on_failure="ignore")


# --- pure: parsers and the VAD's span logic ------------------------------------------------


def test_detector_events_are_paired_and_an_open_one_ends_with_the_stream() -> None:
    text = (
        "frame:25 pts:12800 pts_time:1\nlavfi.black_start=1\n"
        "frame:75 pts:38400 pts_time:3\nlavfi.black_end=3\n"
        "lavfi.freezedetect.freeze_start=4.08\nlavfi.freezedetect.freeze_duration=2\n"
    )
    events = parse_picture_metadata(text, duration=7.0)
    assert events.black == ((1.0, 3.0),) and events.frozen == ((4.08, 7.0),)
    assert events.shifted(10).black == ((11.0, 13.0),)


def test_ebur128_summary_is_read() -> None:
    log = "[Parsed_ebur128_0 @ 0x1] Summary:\n\n  Integrated loudness:\n    I:         -16.2 LUFS\n"
    log += "  True peak:\n    Peak:       -1.4 dBFS\n"
    assert parse_ebur128(log) == Loudness(-16.2, -1.4)
    with pytest.raises(ValueError):
        parse_ebur128("nothing")


def test_speech_spans_ride_over_short_pauses_and_onsets_move_to_the_sound() -> None:
    p = np.zeros(100, dtype=np.float32)
    p[10:30] = 0.9
    p[31:33] = 0.2  # a 64 ms dip between words
    p[33:50] = 0.8
    p[70:71] = 0.9  # a single 32 ms blip
    assert probabilities_to_spans(p) == [(10 * FRAME_S, 50 * FRAME_S)]
    pcm = np.zeros(16000, dtype=np.float32)
    pcm[4000:] = 0.1  # the sound starts at 0.25 s; the detector said 0.4 s
    assert refine_onsets([(0.4, 0.9)], pcm) == [(0.25, 0.9)]
    # A short first syllable the detector missed, then a stop's silent closure: still the onset.
    pcm[4000:5600] = 0.0
    pcm[2400:3200] = 0.1
    assert refine_onsets([(0.4, 0.9)], pcm) == [(0.15, 0.9)]
    # Never into the previous stretch of speech...
    assert refine_onsets([(0.0, 0.3), (0.4, 0.9)], pcm)[1] == (0.35, 0.9)
    # ...nor across a silence longer than a closure (200 ms here).
    pcm[2400:3200] = 0.0
    pcm[1600:2400] = 0.1
    assert refine_onsets([(0.4, 0.9)], pcm) == [(0.35, 0.9)]


def test_the_stems_reuse_the_mix_and_its_ducking(tmp_path: Path) -> None:
    spec = MixSpec(
        total=6.0,
        voices=(AudioLayer(tmp_path / "v.wav", "wav", start=1.0, duration=2.0),),
        music=MusicBed(tmp_path / "m.wav", "wav", 0.3, True, True, 1, 1),
    )
    graph = stems_filtergraph(spec)
    assert "sidechaincompress=" in graph
    for label in ("voice_speech", "music_speech", "voice_weighted", "music_weighted"):
        assert f"[{label}]" in graph
    assert "[vmix]apad=whole_len=288000" in graph and "[ducked]apad=whole_len=288000" in graph


# --- rendered films ------------------------------------------------------------------------

LINES = [
    "Once upon a time, an old keeper lived in a lighthouse by the sea.",
    "Every night he climbed the stairs and lit the great lamp.",
    "One stormy night, a small boat found its way home by his light.",
]
MOVES = ["zoom_in", "none", "pan_left"]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("qc")


@pytest.fixture(scope="module")
def qc_settings(folder: Path) -> Settings:
    # One render cache for the module: each bad film re-encodes only the shots it changed.
    return Settings(data_dir=folder / "data", render_jobs=2)


def _board() -> Storyboard:
    shots = [
        Shot(id=f"s{i}", narration=text, visual_prompt="p", camera_motion=move)
        for i, (text, move) in enumerate(zip(LINES, MOVES, strict=True))
    ]
    return Storyboard(title="Lighthouse", language="en", style="cinematic", shots=shots)


@pytest.fixture(scope="module")
def good(folder: Path, qc_settings: Settings) -> Timeline:
    """A normal storyreel film: eSpeak narration with word-timed cues, pictures with Ken Burns
    moves and one still, the ambient music bed ducked under the voice."""
    espeak = EspeakSynthesizer(qc_settings)
    media = []
    for i, (text, move) in enumerate(zip(LINES, MOVES, strict=True)):
        voice = espeak.synthesize(text, VoiceSpec())
        (folder / f"voice{i}.wav").write_bytes(voice.wav)
        picture = make_image(
            folder / f"shot{i}.png", 640, 360, ["testsrc2", "smptebars", "rgbtestsrc"][i]
        )
        media.append(
            ShotMedia(
                image=picture,
                voice=folder / f"voice{i}.wav",
                voice_seconds=voice.duration,
                motion=Motion(type=move, strength=0.15),
                words=tuple(voice.words or ()),
            )
        )
    music = AmbientMusic(qc_settings).track("calm", 40.0)
    (folder / "music.wav").write_bytes(music.wav)
    return build_timeline(
        _board(), media, base_dir=folder, music=folder / "music.wav", quality="preview", fps=FPS
    )


def render_and_check(
    settings: Settings,
    folder: Path,
    timeline: Timeline,
    name: str,
    cues: tuple[Cue, ...] | None = None,
) -> QcReport:
    """Render ``timeline`` as the render task does, then check it as Renderer.render will."""
    sources, problems = resolve_sources(json.loads(timeline.model_dump_json()), folder)
    assert not problems, problems
    renderer = Renderer(settings)
    result: RenderResult = renderer.render(timeline, sources, folder / "out" / f"{name}.mp4")
    plan = planning.build_plan(
        timeline, sources, font_key=renderer.font_key, tool_key=renderer.ffmpeg_build, threads=1
    )
    assert [s.key for s in plan.segments] == result.segment_keys  # the plan that was rendered
    if cues is not None:
        plan = dataclasses.replace(plan, cues=cues)
    spec = mix_spec(timeline, sources, plan.duration)
    report = check_render(
        ffmpeg=renderer.ffmpeg,
        env=renderer.ffmpeg_env,
        work_dir=renderer.root / "tmp",
        plan=plan,
        timeline=timeline,
        spec=spec,
        video=result.video,
        thresholds=settings.qc,
        font_family=renderer.font.family,
        segment_files={key: renderer.segment_path(key) for key in result.segment_keys},
        soundtrack=renderer.root
        / "audio"
        / f"{audio_key(spec, sources, renderer.ffmpeg_build)}.m4a",
    )
    assert json.loads(json.dumps(report.to_dict()))["checks"]  # storable as it is
    return report


def failed(report: QcReport) -> dict[str, str]:
    return {c.name: c.message for c in report.failures}


@pytest.mark.slow
def test_a_normal_film_passes_every_check(
    good: Timeline, qc_settings: Settings, folder: Path
) -> None:
    report = render_and_check(qc_settings, folder, good, "good")
    assert report.ok, report.summary
    assert {c.status for c in report.checks} == {"pass"}
    # The still shot stood still as asked, and the cues met their words.
    assert report.check("freeze").measured["planned_stills"] == 1
    assert report.check("cue_timing").measured["cues"] == len(good.subtitles)


def _replace_file(timeline: Timeline, index: int, field: str, source: str) -> Timeline:
    items = list(getattr(timeline, field))
    items[index] = items[index].model_copy(update={"source": source})
    return timeline.model_copy(update={field: items})


@pytest.mark.slow
def test_silent_narration_is_caught(good: Timeline, qc_settings: Settings, folder: Path) -> None:
    # Pure silence as long as shot 2's real voice, in its place.
    with wave.open(str(folder / "voice1.wav")) as voice:
        seconds = voice.getnframes() / voice.getframerate()
    ffmpeg(
        "-f", "lavfi", "-i", f"anullsrc=r=22050:cl=mono:d={seconds}", str(folder / "silence.wav")
    )
    report = render_and_check(
        qc_settings, folder, _replace_file(good, 1, "narration", "silence.wav"), "silent"
    )
    problems = failed(report)
    assert problems["narration_silent"].startswith("Shot 2's narration is silent from ")
    assert report.check("narration_silent").findings[0].shot == 2
    # Its cues now show over silence.
    assert "in shot 2" in problems["cue_timing"] and "no one speaks" in problems["cue_timing"]


@pytest.mark.slow
def test_a_black_clip_is_caught(good: Timeline, qc_settings: Settings, folder: Path) -> None:
    make_image(folder / "black.png", 640, 360, "color=c=black")
    report = render_and_check(
        qc_settings, folder, _replace_file(good, 2, "clips", "black.png"), "black"
    )
    problems = failed(report)
    assert set(problems) == {"black"}, problems  # a black zoom is not also "frozen"
    assert "shot 3" in problems["black"] and problems["black"].startswith("The picture is black")


@pytest.mark.slow
def test_a_subtitle_wider_than_the_safe_area_is_caught(
    good: Timeline, qc_settings: Settings, folder: Path
) -> None:
    # The layout estimates widths per character; this glyph (from a fallback font) is drawn
    # many times wider than estimated, so the layout keeps it on one line and libass draws it
    # off the title-safe area. Only measuring what was drawn can tell.
    subtitles = list(good.subtitles)
    first = subtitles[0]
    subtitles[0] = first.model_copy(update={"text": "\ufdfd" * 9})
    wide = good.model_copy(update={"subtitles": subtitles})
    report = render_and_check(qc_settings, folder, wide, "wide")
    problems = failed(report)
    assert "subtitle_safe_area" in problems
    assert "in shot 1" in problems["subtitle_safe_area"]
    assert "past the title-safe area (90% of the frame)" in problems["subtitle_safe_area"]


@pytest.mark.slow
def test_a_cue_with_more_than_two_lines_is_caught(
    good: Timeline, qc_settings: Settings, folder: Path
) -> None:
    # The layout never makes one, so the plan's cues are crafted: what the check reads.
    sources, _ = resolve_sources(json.loads(good.model_dump_json()), folder)
    plan = planning.build_plan(good, sources)
    crafted = (dataclasses.replace(plan.cues[-1], text="Every night\nhe climbed\nthe stairs"),)
    report = render_and_check(qc_settings, folder, good, "lines", cues=(*plan.cues[:-1], *crafted))
    check = report.check("subtitle_lines")
    assert check.status == "fail" and "has 3 lines (at most 2)" in check.message
    assert check.findings[0].shot == 3


@pytest.mark.slow
def test_music_too_loud_under_speech_is_caught(
    good: Timeline, qc_settings: Settings, folder: Path
) -> None:
    assert good.music is not None
    loud = good.model_copy(
        update={"music": good.music.model_copy(update={"duck": False, "volume": 4.0})}
    )
    report = render_and_check(qc_settings, folder, loud, "loud")
    problems = failed(report)
    assert problems["music_under_speech"].startswith("The music is only ")
    assert "under the narration at 0:" in problems["music_under_speech"]
    assert "(shot 1; needs 8 dB)" in problems["music_under_speech"]


@pytest.mark.slow
def test_speech_where_none_was_planned_is_caught(
    good: Timeline, qc_settings: Settings, folder: Path
) -> None:
    # A moving video clip whose own sound is someone talking, added as a fourth shot with no
    # narration over it.
    talk = EspeakSynthesizer(qc_settings).synthesize(
        "Nobody planned for me to say this, but here I am, talking away.", VoiceSpec()
    )
    (folder / "talk.wav").write_bytes(talk.wav)
    seconds = talk.duration + 1.0
    ffmpeg(
        "-f", "lavfi", "-i", f"testsrc2=s=320x180:r={FPS}:d={seconds}",
        "-i", str(folder / "talk.wav"), "-af", "adelay=500:all=1",
        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac",
        "-t", f"{seconds}", str(folder / "talk.mp4"),
    )  # fmt: skip
    clip = Clip(
        source="talk.mp4",
        duration=round(seconds, 3),
        keep_audio=True,
        transition=Transition(type="crossfade", duration=0.5),
    )
    extra = good.model_copy(update={"clips": [*good.clips, clip]})
    report = render_and_check(qc_settings, folder, extra, "talk")
    problems = failed(report)
    assert set(problems) == {"unplanned_speech"}, problems
    assert problems["unplanned_speech"].startswith("Someone speaks in shot 4's own sound from ")


@pytest.mark.slow
def test_cues_far_from_their_speech_are_caught(
    good: Timeline, qc_settings: Settings, folder: Path
) -> None:
    # Shot 2's narration starts after its clip's entry; its cues are moved a second later.
    narration = good.narration[1]
    shifted = [
        s.model_copy(update={"start": s.start + 1.0, "end": s.end + 1.0})
        if narration.start - 0.01 <= s.start < good.narration[2].start - 1.5
        else s
        for s in good.subtitles
    ]
    late = good.model_copy(
        update={"subtitles": [Subtitle.model_validate(s.model_dump()) for s in shifted]}
    )
    report = render_and_check(qc_settings, folder, late, "late")
    problems = failed(report)
    assert set(problems) == {"cue_timing"}, problems
    assert re.search(r"in shot 2 appears (0\.9\d|1\.0\d) s after its words", problems["cue_timing"])
