"""The ``storyreel`` command line."""

from __future__ import annotations

import json
import signal
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from storyreel import __version__
from storyreel.domain.cancel import Cancelled, CancelToken
from storyreel.domain.timeline import TimelineError, timeline_json_schema
from storyreel.media.ffmpeg import FFmpegError, FFmpegNotFound
from storyreel.media.fonts import FontNotFound
from storyreel.settings import Settings

app = typer.Typer(
    name="storyreel",
    help="Turn a story into a finished, narrated video.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
timeline_app = typer.Typer(help="Work with timeline files (the renderer's input format).")
app.add_typer(timeline_app, name="timeline")

err = Console(stderr=True, highlight=False)
out = Console(highlight=False)


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print a one-line error (plus optional detail lines) and return the exit to raise."""
    err.print(f"[bold red]error:[/] {message}", soft_wrap=True)
    return typer.Exit(code)


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"STORYREEL_{'__'.join(str(p) for p in e['loc']).upper()}: {e['msg']}"
            for e in exc.errors()
        )
        raise fail(f"invalid settings: {problems}", 2) from None


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
        TextColumn("{task.completed:.0f}/{task.total:.0f} frames"),
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
        err.print(f"[bold red]error:[/] {exc}", soft_wrap=True)
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
        err.print(f"[bold red]error:[/] {exc}", soft_wrap=True)
        raise typer.Exit(2) from None
    out.print(f"ok: {len(tl.clips)} clip(s), {tl.duration:.2f}s")


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)


if __name__ == "__main__":
    main()
