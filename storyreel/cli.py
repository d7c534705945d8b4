"""The ``storyreel`` command line."""

from __future__ import annotations

import json
import re
import signal
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Annotated

import typer
from pydantic import ValidationError
from rich.markup import escape
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from storyreel import __version__
from storyreel.cli_ops import register_ops
from storyreel.cli_support import err, fail, load_settings, out
from storyreel.domain.cancel import Cancelled, CancelToken
from storyreel.domain.storyboard import Storyboard
from storyreel.domain.styles import StylePreset
from storyreel.domain.timeline import TimelineError, timeline_json_schema
from storyreel.media.ffmpeg import FFmpegError, FFmpegNotFound
from storyreel.media.fonts import FontNotFound

if TYPE_CHECKING:
    from storyreel.pipeline.context import PipelineContext

app = typer.Typer(
    name="storyreel",
    help="Turn a story into a finished, narrated video.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
timeline_app = typer.Typer(help="Work with timeline files (the renderer's input format).")
app.add_typer(timeline_app, name="timeline")


class CountColumn(ProgressColumn):
    """'done/total unit' once the total is known (a task may start without one)."""

    def __init__(self, unit: str = "") -> None:
        super().__init__()
        self.unit = unit

    def render(self, task: Task) -> Text:
        if task.total is None:
            return Text("")
        suffix = f" {self.unit}" if self.unit else ""
        return Text(f"{task.completed:.0f}/{task.total:.0f}{suffix}")


def _version(value: bool) -> None:
    if value:
        out.print(f"storyreel {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """storyreel: story to video."""


def _humanize_bytes(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.1f} {unit}" if unit != "B" else f"{n} B"
        size /= 1024
    return f"{n} B"


def _cancel_on_interrupt(token: CancelToken) -> None:
    """Ctrl-C (or SIGTERM) cancels the render cleanly instead of leaving FFmpeg behind."""
    if threading.current_thread() is not threading.main_thread():
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        token.cancel()

    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)


@app.command()
def render(
    timeline: Annotated[Path, typer.Argument(help="Timeline JSON file (see docs/timeline.md).")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Where to write the MP4.")],
    preview: Annotated[
        bool, typer.Option("--preview", help="Fast low-resolution render (at most 480p).")
    ] = False,
    jobs: Annotated[
        int | None,
        typer.Option("--jobs", "-j", min=1, max=64, help="Segments rendered at once."),
    ] = None,
    allow: Annotated[
        list[Path] | None,
        typer.Option(
            "--allow", help="A folder outside the timeline's own that sources may come from."
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Render a timeline to an MP4 (plus .srt, poster.jpg and contact_sheet.jpg beside it)."""
    from storyreel.media.render import Renderer, RenderProgress

    settings = load_settings()
    try:
        renderer = Renderer(settings)
    except (FFmpegNotFound, FontNotFound) as exc:
        raise fail(str(exc)) from None
    token = CancelToken()
    _cancel_on_interrupt(token)
    progress = Progress(
        TextColumn("{task.description:<10}"),
        BarColumn(),
        TaskProgressColumn(),
        CountColumn("frames"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err,
        disable=quiet or not err.is_terminal,
        transient=True,
    )
    bar = progress.add_task("rendering", total=None)

    def on_progress(p: RenderProgress) -> None:
        progress.update(bar, description=p.stage, completed=p.done_frames, total=p.total_frames)

    try:
        with progress:
            result = renderer.render_file(
                timeline,
                output,
                preview=preview,
                jobs=jobs,
                allowed_roots=allow or [],
                cancel=token,
                on_progress=on_progress,
            )
    except TimelineError as exc:
        err.print(f"[bold red]error:[/] {escape(str(exc))}", soft_wrap=True)
        raise typer.Exit(2) from None
    except Cancelled:
        raise fail("render cancelled; no output was written", 130) from None
    except FFmpegError as exc:
        tail = exc.stderr_tail.strip().splitlines()[-3:]
        raise fail(f"FFmpeg failed (exit {exc.returncode}): {' | '.join(tail)}") from None
    reused = result.reused_segments
    out.print(
        f"wrote {result.video} — {result.duration:.2f}s, {result.width}x{result.height}, "
        f"{_humanize_bytes(result.size_bytes)}, in {result.elapsed:.1f}s "
        f"({len(result.encoded_segments)} segment(s) encoded, {reused} reused)"
    )
    if result.qc is not None:
        _print_quality(result.qc.outcome("attention"), result.qc.summary)


def _print_quality(outcome: str | None, summary: str) -> None:
    """The quality check's verdict under the "wrote" line (docs/quality-checks.md)."""
    if outcome == "ok":
        out.print("  quality check: every check passed")
    elif outcome is not None:
        out.print(
            f"  [yellow]quality check: needs attention[/] — {escape(summary)}", soft_wrap=True
        )


def _parse_length(value: str | None) -> float | None:
    """'60s', '90', '2m', '1m30s' → seconds."""
    if value is None:
        return None
    text = value.strip().lower().replace(" ", "")
    match = re.fullmatch(r"(?:(\d+(?:\.\d+)?)m)?(?:(\d+(?:\.\d+)?)s?)?", text)
    if not text or match is None or not any(match.groups()):
        raise fail(f"--length {value!r} is not a length; write e.g. 60s, 90 or 2m", 2)
    minutes, seconds = (float(g) if g else 0.0 for g in match.groups())
    total = minutes * 60 + seconds
    if not 5 <= total <= 3600:
        raise fail(f"--length must be between 5s and 1 hour, not {value}", 2)
    return total


def _make_progress(quiet: bool) -> Progress:
    return Progress(
        TextColumn("{task.description:<11}"),
        BarColumn(),
        CountColumn(),
        TextColumn("{task.fields[detail]}"),
        TimeElapsedColumn(),
        console=err,
        disable=quiet or not err.is_terminal,
    )


@app.command()
def make(
    story: Annotated[
        Path | None,
        typer.Argument(
            help="Story file: .txt, .md, .docx, .pdf, .epub or .html. Omit with --from."
        ),
    ] = None,
    chapter: Annotated[
        str | None,
        typer.Option(
            "--chapter",
            help="Chapter N or range N-M of a document (1-based; see `storyreel chapters`).",
        ),
    ] = None,
    output: Annotated[Path, typer.Option("-o", "--output", help="Where to write the MP4.")] = Path(
        "film.mp4"
    ),
    from_storyboard: Annotated[
        Path | None,
        typer.Option("--from", help="Re-make from an (edited) storyboard.json instead."),
    ] = None,
    style: Annotated[
        str, typer.Option("--style", help="Style preset (see `storyreel styles`).")
    ] = "cinematic",
    aspect: Annotated[str, typer.Option("--aspect", help="16:9, 9:16 or 1:1.")] = "16:9",
    lang: Annotated[str, typer.Option("--lang", help="auto, zh or en.")] = "auto",
    voice: Annotated[
        str, typer.Option("--voice", help="Voice id (see `storyreel voices`).")
    ] = "auto",
    music: Annotated[
        str,
        typer.Option(
            "--music", help="Music mood (calm, tense, joyful, sad, epic, mysterious), auto or none."
        ),
    ] = "auto",
    length: Annotated[
        str | None, typer.Option("--length", help="Target length, e.g. 60s or 2m.")
    ] = None,
    condense: Annotated[
        bool,
        typer.Option(
            "--condense",
            help="Condense a story or chapter too long for the film (or the story limit) to "
            "the target length first: by the LLM when one is configured, else offline.",
        ),
    ] = False,
    preview: Annotated[bool, typer.Option("--preview", help="Fast 480p render.")] = False,
    seed: Annotated[int, typer.Option("--seed", help="Seed for every generator.")] = 0,
    jobs: Annotated[
        int | None, typer.Option("--jobs", "-j", min=1, max=64, help="Parallel jobs.")
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress display.")] = False,
) -> None:
    """Turn a story into a finished video: storyboard, pictures, voice, music, render."""
    from storyreel.domain.project import ProjectOptions
    from storyreel.domain.storyboard import ASPECTS
    from storyreel.domain.styles import UnknownStyle, get_style
    from storyreel.pipeline.engine import Platform
    from storyreel.pipeline.ingest import StoryError, read_story
    from storyreel.pipeline.make import STAGES, MakeFailed, StageProgress, make_film
    from storyreel.providers.base import ProviderError

    settings = load_settings()
    if (story is None) == (from_storyboard is None):
        raise fail("give a story file, or --from storyboard.json (not both)", 2)
    if chapter is not None and story is None:
        raise fail("--chapter chooses from a story document; it does not go with --from", 2)
    if condense and story is None:
        raise fail("--condense shortens a story file; it does not go with --from", 2)
    if aspect not in ASPECTS:
        raise fail(f"unknown --aspect {aspect!r}; use one of {', '.join(ASPECTS)}", 2)
    if lang not in ("auto", "zh", "en"):
        raise fail(f"unknown --lang {lang!r}; use auto, zh or en", 2)
    if output.suffix.lower() != ".mp4":
        raise fail(f"the output must be an .mp4 file, not {output.name}", 2)
    target_seconds = _parse_length(length)
    try:
        preset = get_style(style)
    except UnknownStyle as exc:
        raise fail(str(exc), 2) from None
    if jobs is not None:  # segments rendered at once, and CPU steps (voices) run at once
        concurrency = settings.concurrency.model_copy(update={"cpu": jobs})
        settings = settings.model_copy(update={"render_jobs": jobs, "concurrency": concurrency})
    try:
        platform = Platform.embedded(settings)
        _check_choices(platform.pipeline, voice, music)
    except ProviderError as exc:
        raise fail(str(exc), 2) from None
    text: str | None = None
    board: Storyboard | None = None

    def shrink(long_text: str) -> str:
        from storyreel.pipeline.condense import condense_story

        done = condense_story(
            platform.pipeline, long_text, target_seconds=target_seconds,
            max_chars=settings.max_story_chars,
        )  # fmt: skip
        out.print(escape(done.describe()))
        return done.text

    try:
        if story is not None:
            text = read_story(
                story,
                settings.max_story_chars,
                chapter=chapter,
                max_document_chars=settings.max_document_chars,
                max_bytes=settings.upload_max_bytes,
                condense=shrink if condense else None,
            )
        else:
            assert from_storyboard is not None
            board = _read_storyboard(from_storyboard)
    except StoryError as exc:
        platform.stop(0)
        raise fail(str(exc), 2) from None
    try:
        options = ProjectOptions.model_validate(
            {
                "style": _board_style(board, preset).name,
                "aspect": board.aspect if board is not None else aspect,
                "language": lang,
                "voice": voice,
                "music": music,
                "target_seconds": target_seconds,
                "seed": seed,
                "quality": "preview" if preview else "final",
            }
        )
    except ValidationError as exc:
        platform.stop(0)
        raise fail(exc.errors()[0]["msg"], 2) from None
    token = CancelToken()
    _cancel_on_interrupt(token)
    progress = _make_progress(quiet)
    bars = {s: progress.add_task(s, total=None, detail="") for s in STAGES}

    def on_progress(p: StageProgress) -> None:
        progress.update(bars[p.stage], completed=p.done, total=p.total, detail=p.detail)

    platform.start()
    try:
        with progress:
            result = make_film(
                platform, output, options, story=text, board=board, on_progress=on_progress,
                cancel=token,
            )  # fmt: skip
    except Cancelled:
        raise fail("cancelled; no video was written", 130) from None
    except (MakeFailed, ProviderError, TimelineError) as exc:
        raise fail(str(exc)) from None
    except FFmpegError as exc:
        tail = exc.stderr_tail.strip().splitlines()[-3:]
        raise fail(f"FFmpeg failed (exit {exc.returncode}): {' | '.join(tail)}") from None
    finally:
        platform.stop(0 if token.cancelled else 5)
    r = result.render
    made = ", ".join(
        f"{name} {st.generated} new/{st.cached} cached"
        for name, st in result.stages.items()
        if name in ("images", "voices", "render")
    )
    out.print(
        f"wrote {r.video} — {len(result.board.shots)} shots, {r.duration:.1f}s, "
        f"{r.width}x{r.height}, {_humanize_bytes(r.size_bytes)}, in {result.elapsed:.1f}s ({made})"
    )
    for line in result.fallbacks:
        out.print(f"  {line}")
    _print_quality(r.qc_outcome, r.qc_summary)
    out.print(
        f"  edit {result.storyboard.name}, then: "
        f"storyreel make --from {result.storyboard} -o {r.video}"
    )
    out.print(f"  project {result.project_id} (storyreel project list)")


def _board_style(board: Storyboard | None, chosen: StylePreset) -> StylePreset:
    """An edited storyboard keeps its own style when it names a known one."""
    from storyreel.domain.styles import STYLES

    return STYLES.get(board.style, chosen) if board is not None else chosen


def _check_choices(ctx: PipelineContext, voice: str, music: str) -> None:
    """Unknown voices and moods fail before any work starts."""
    if voice != "auto":
        known = [v.id for v in ctx.registry.voice().voices()]
        if known and voice not in known:
            raise typer.BadParameter(f"unknown --voice {voice!r}; see `storyreel voices`")
    if music not in ("auto", "none"):
        moods = ctx.registry.music().moods()
        if moods and music not in moods:
            raise typer.BadParameter(
                f"unknown --music {music!r}; use auto, none or one of {', '.join(moods)}"
            )


def _read_storyboard(path: Path) -> Storyboard:
    from storyreel.pipeline.ingest import StoryError

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise StoryError(f"storyboard file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise StoryError(f"cannot read {path}: {exc}") from None
    try:
        return Storyboard.model_validate_json(text)
    except ValidationError as exc:
        problems = "\n".join(
            f"  - {_loc(e['loc'])}: {e['msg'].removeprefix('Value error, ')}" for e in exc.errors()
        )
        raise StoryError(f"invalid storyboard {path.name}:\n{problems}") from None


def _loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(document)"


@app.command()
def chapters(
    document: Annotated[
        Path, typer.Argument(help="A .txt, .md, .docx, .pdf, .epub or .html story document.")
    ],
) -> None:
    """List a document's chapters (number, title, length, opening) for `make --chapter N`."""
    from storyreel.documents import DocumentError
    from storyreel.pipeline.ingest import StoryError, StoryLimits, open_document

    settings = load_settings()
    limits = StoryLimits(
        max_chars=settings.max_story_chars,
        max_document_chars=settings.max_document_chars,
        max_bytes=settings.upload_max_bytes,
    )
    try:
        found = open_document(document, limits)
    except (StoryError, DocumentError) as exc:
        raise fail(str(exc), 2) from None
    title = f"{found.title} ({found.kind})" if found.title else found.kind
    table = Table("#", "title", "chars", "begins", title=escape(title))
    for number, chapter in enumerate(found.chapters, 1):
        opening = " ".join(chapter.text.split())[:48]
        table.add_row(
            str(number),
            escape(chapter.title or "(untitled)"),
            f"{chapter.chars:,}",
            escape(opening),
        )
    out.print(table)
    fits = len(found.story()) <= settings.max_story_chars
    out.print(
        "the whole document fits one story"
        if fits
        else f"longer than a story ({settings.max_story_chars:,} chars): "
        "choose with `storyreel make FILE --chapter N` (or N-M)"
    )


@app.command()
def assist(
    messages: Annotated[
        list[str] | None,
        typer.Argument(
            help="What you would like to make, then refinements, one turn each: "
            "'a 60-second sci-fi short about a robot, warm, for children' 'make it darker'. "
            "None on a terminal: a conversation."
        ),
    ] = None,
    state: Annotated[
        Path | None,
        typer.Option("--state", help="A conversation file (JSON) to continue and save."),
    ] = None,
    script: Annotated[
        bool,
        typer.Option("--script", help="Write the script from the brief with the LLM."),
    ] = False,
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="Where to write the script (with --script)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the state as JSON.")] = False,
) -> None:
    """Shape an idea into a brief, then a script: intent, characters, setting, mood, length and
    frame are read offline; what is missing or contradictory is asked; writing the script needs
    an LLM (STORYREEL_LLM__*). Then `storyreel make` the script."""
    from storyreel.domain.assistant.conversation import (
        ConversationFull,
        brief_text,
        plan_aspect,
        plan_length,
        plan_music,
        plan_style,
        reply,
        start,
    )
    from storyreel.domain.assistant.model import Conversation
    from storyreel.domain.assistant.templates import TemplateLibrary
    from storyreel.pipeline import assistant
    from storyreel.pipeline.errors import PipelineError
    from storyreel.providers.llm.script import OpenAIChatScriptWriter

    library = TemplateLibrary.builtin()
    conversation: Conversation | None = None
    if state is not None and state.exists():
        try:
            conversation = Conversation.model_validate_json(state.read_bytes())
        except (OSError, ValidationError) as exc:
            raise fail(
                f"{state} is not a conversation file: {str(exc).splitlines()[0]}", 2
            ) from None

    def turn(message: str) -> None:
        nonlocal conversation
        try:
            conversation = (
                start(message, library)
                if conversation is None
                else reply(conversation, message, library)
            )
        except ConversationFull as exc:
            raise fail(str(exc), 2) from None
        except ValueError as exc:
            raise fail(str(exc), 2) from None
        if not as_json:
            out.print(f"[bold]assistant:[/] {escape(conversation.turns[-1].text)}")

    said = [m for m in (messages or []) if m.strip()]
    if not said and conversation is None and not sys.stdin.isatty():
        raise fail(
            "say what you would like to make: storyreel assist 'a 60-second fable about a fox'", 2
        )
    for message in said:
        turn(message)
    if not said and sys.stdin.isatty():
        out.print("Describe the film you want; refine it in later turns. An empty line ends.")
        while True:
            try:
                line = input("you> ").strip()
            except EOFError:
                break
            if not line:
                break
            turn(line)
    if conversation is None:
        raise fail("nothing was said: describe the film you would like to make", 2)
    if state is not None:
        state.write_text(conversation.model_dump_json(indent=1), encoding="utf-8")
    brief = conversation.brief
    template = library.choose(brief.task, brief.genre)
    story_text: str | None = None
    if script:
        settings = load_settings()
        try:
            assistant.check_script_available(settings)
        except PipelineError as exc:
            raise fail(exc.message, 2) from None
        request = assistant.request_for(conversation, library)
        try:
            written = assistant.write_script(OpenAIChatScriptWriter(settings), request)
        except PipelineError as exc:
            raise fail(exc.message, 1) from None
        story_text = written.text
        if output is not None:
            output.write_text(story_text + "\n", encoding="utf-8")
    if as_json:
        payload = conversation.model_dump(mode="json")
        payload["script"] = story_text
        out.print_json(json.dumps(payload, ensure_ascii=False))
        return
    out.print(f"[bold]brief[/] (template {template.id} v{template.version}):")
    out.print(escape(brief_text(brief, template)))
    if story_text is not None and output is None:
        out.print("[bold]script:[/]")
        out.print(escape(story_text))
    target = str(output) if output is not None else "STORY.txt"
    out.print(
        "next: storyreel make "
        f"{escape(target)} --style {plan_style(brief, template)} --aspect {plan_aspect(brief)} "
        f"--lang {brief.language} --music {plan_music(brief, template)} "
        f"--length {plan_length(brief, template):g}s"
    )


@app.command()
def styles() -> None:
    """List the style presets."""
    from storyreel.domain.styles import STYLES

    table = Table("name", "label", "描述 / description", box=None, pad_edge=False)
    for s in STYLES.values():
        table.add_row(s.name, f"{s.label} · {s.label_zh}", s.description)
    out.print(table)


@app.command()
def voices() -> None:
    """List the voices of the configured speech provider."""
    from storyreel.providers.base import ProviderError
    from storyreel.providers.registry import ProviderRegistry

    try:
        synth = ProviderRegistry(load_settings()).voice()
    except ProviderError as exc:
        raise fail(str(exc)) from None
    table = Table("voice", "language", "description", box=None, pad_edge=False)
    for v in synth.voices():
        table.add_row(v.id, v.language, v.description)
    out.print(table)


@app.command()
def providers(
    probe: Annotated[
        bool, typer.Option("--probe", help="Also ask each network provider's service if it is up.")
    ] = False,
) -> None:
    """List providers per capability, their place on the route, whether they are ready, and
    their prices."""
    from storyreel.providers.base import CAPABILITIES
    from storyreel.providers.registry import ProviderRegistry
    from storyreel.providers.router import ProviderRouter, layered_route

    settings = load_settings()
    registry = ProviderRegistry(settings)
    router = ProviderRouter(registry)
    table = Table("capability", "provider", "route", "status", "prices", box=None, pad_edge=False)
    for capability in CAPABILITIES:
        route = layered_route(capability, settings)
        order = router.candidates(capability, route)
        for cls in registry.classes(capability):
            status = "offline" if cls.offline else "online"
            place = str(order.index(cls.name) + 1) if cls.name in order else ""
            prices = ""  # shown only for providers that are set up
            if place or probe:
                health = router.health(capability, cls.name)
                if health.ok:
                    status += ", ready" if not probe else f", ready ({health.detail})"
                    prices = (
                        ", ".join(
                            f"{p:g}/{unit}"
                            for unit, p in registry.get(capability, cls.name).prices().items()
                            if p
                        )
                        or "free"
                    )
                else:
                    status += f", NOT READY: {health.detail}"
            table.add_row(capability, cls.name, place, escape(status), prices)
        if route.strategy != "ordered":
            table.add_row(capability, f"(strategy: {route.strategy})", "", "", "")
    out.print(table)
    out.print(
        "route: the order providers are tried in; choose with "
        "STORYREEL_PROVIDERS__<CAPABILITY>=<name> or "
        'STORYREEL_ROUTES__<CAPABILITY>=\'{"providers": [...], "strategy": "cost"}\''
    )


@app.command()
def desktop(
    server: Annotated[
        str | None,
        typer.Option(help="The server's URL (default: the local one, started if not running)."),
    ] = None,
    lang: Annotated[
        str | None, typer.Option(help="en or zh (default: the system's language).")
    ] = None,
) -> None:
    """Open the desktop app, a client of the API (needs the `desktop` extra)."""
    try:
        import keyring  # noqa: F401
        import PySide6  # noqa: F401
        import websockets  # noqa: F401
    except ImportError:
        raise fail("the desktop app needs its extra: pip install 'storyreel[desktop]'") from None
    from storyreel.desktop.app import main as desktop_main

    argv = [*(["--server", server] if server else []), *(["--lang", lang] if lang else [])]
    raise typer.Exit(desktop_main(argv))


@timeline_app.command("schema")
def timeline_schema() -> None:
    """Print the JSON Schema of the timeline format (version 1)."""
    out.print_json(json.dumps(timeline_json_schema()))


@timeline_app.command("check")
def timeline_check(
    timeline: Annotated[Path, typer.Argument(help="Timeline JSON file.")],
) -> None:
    """Validate a timeline and its files without rendering."""
    from storyreel.media.render import load_timeline

    try:
        tl, _ = load_timeline(timeline)
    except TimelineError as exc:
        err.print(f"[bold red]error:[/] {escape(str(exc))}", soft_wrap=True)
        raise typer.Exit(2) from None
    out.print(f"ok: {len(tl.clips)} clip(s), {tl.duration:.2f}s")


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)


# Operator commands (database, projects on the task engine, workers) live in their own module.
register_ops(app)

if __name__ == "__main__":
    main()
