"""Operator commands: ``serve``, ``migrate``, ``project``, ``tasks``, ``worker``, ``workers``,
``blobs``, ``translate`` and ``export``."""

from __future__ import annotations

import logging
import re
import sys
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer
from rich.table import Column, Table

from storyreel.cli_support import err, fail, load_settings, out
from storyreel.domain.styles import UnknownStyle, get_style
from storyreel.pipeline.ingest import StoryError, read_story
from storyreel.settings import Concurrency, Settings
from storyreel.tasks.model import RESOURCES, STATUSES, InvalidTransition, TaskNotFound

# The database, the engine and the pipeline (SQLAlchemy, Alembic, PyAV...) are imported inside
# the commands that use them: `storyreel --help` and the light commands start in well under a
# second instead of paying ~2 s of imports every time.
if TYPE_CHECKING:
    from storyreel.db.session import Database
    from storyreel.pipeline.engine import Platform
    from storyreel.storage.base import BlobStore, StoredKey

log = logging.getLogger(__name__)

project_app = typer.Typer(help="Projects on the task engine (recorded in the database).")
tasks_app = typer.Typer(help="Inspect, retry and cancel tasks.")
blobs_app = typer.Typer(help="The blob store: find and remove files nothing references.")


def _id(header: str) -> Column:
    """Ids are what operators copy into the next command: never shortened."""
    return Column(header, no_wrap=True, min_width=32)


def _word(header: str) -> Column:
    return Column(header, no_wrap=True)


def _database(settings: Settings) -> Database:
    from storyreel.db.session import Database

    try:
        return Database(settings.database)
    except ValueError as exc:
        raise fail(str(exc), 2) from None


def _platform(settings: Settings, **kwargs: object) -> Platform:
    from sqlalchemy.exc import OperationalError

    from storyreel.db import migrate as migrations
    from storyreel.pipeline.engine import Platform

    try:
        return Platform.create(settings, **kwargs)  # type: ignore[arg-type]
    except migrations.DatabaseNotMigrated as exc:
        raise fail(str(exc), 2) from None
    except OperationalError as exc:
        raise fail(f"cannot open the database: {exc.orig}", 2) from None
    except (ValueError, RuntimeError) as exc:
        raise fail(str(exc), 2) from None


def _connected(settings: Settings) -> Platform:
    """A platform that only records work (the CLI's commands); workers run it."""
    platform = _platform(settings)
    try:
        return platform.connect()
    except RuntimeError as exc:  # e.g. STORYREEL_EXECUTOR=celery without the extra
        raise fail(str(exc), 2) from None


def migrate() -> None:
    """Create or upgrade the database schema (SQLite file or STORYREEL_DATABASE_URL)."""
    from sqlalchemy.exc import OperationalError

    from storyreel.db import migrate as migrations

    settings = load_settings()
    db = _database(settings)
    try:
        before, after = migrations.upgrade(db)
    except OperationalError as exc:
        raise fail(f"cannot open the database: {exc.orig}", 2) from None
    url = db.engine.url.render_as_string(hide_password=True)
    if before == after:
        out.print(f"{url} is up to date (revision {after})")
    else:
        out.print(f"{url}: {before or 'empty'} → {after}")


@project_app.command("create")
def project_create(
    story: Annotated[
        Path, typer.Argument(help="A story file: .txt, .md, .docx, .pdf, .epub or .html.")
    ],
    chapter: Annotated[
        str | None, typer.Option(help="Chapter N or range N-M of a document (1-based).")
    ] = None,
    style: Annotated[
        str, typer.Option(help="Style preset (see `storyreel styles`).")
    ] = "cinematic",
    title: Annotated[str | None, typer.Option(help="Title; default: the storyboard's.")] = None,
    aspect: Annotated[str, typer.Option(help="16:9, 9:16 or 1:1.")] = "16:9",
    lang: Annotated[str, typer.Option("--lang", help="auto, zh or en.")] = "auto",
    voice: Annotated[str, typer.Option(help="Voice id, or auto.")] = "auto",
    music: Annotated[str, typer.Option(help="Music mood, auto, or none.")] = "auto",
    length: Annotated[float | None, typer.Option(help="Target length in seconds.")] = None,
    seed: Annotated[int, typer.Option(help="Seed for every generator.")] = 0,
    preview: Annotated[bool, typer.Option(help="Render a fast preview instead.")] = False,
    wait: Annotated[
        bool,
        typer.Option(
            help="Wait until the video is made: run it here (local executor) or on the Celery "
            "workers (STORYREEL_EXECUTOR=celery)."
        ),
    ] = False,
    timeout: Annotated[float, typer.Option(help="With --wait: give up after seconds.")] = 3600,
) -> None:
    """Record a project and its tasks; print its id (with --wait, also make it)."""
    from storyreel.domain.project import ProjectOptions
    from storyreel.pipeline.project import create_project

    settings = load_settings()
    try:
        style = get_style(style).name
    except UnknownStyle as exc:
        raise fail(str(exc), 2) from None
    if aspect not in ("16:9", "9:16", "1:1"):
        raise fail(f"--aspect must be 16:9, 9:16 or 1:1, not {aspect!r}", 2)
    if lang not in ("auto", "zh", "en"):
        raise fail(f"--lang must be auto, zh or en, not {lang!r}", 2)
    if length is not None and not 5 <= length <= 3600:
        raise fail("--length must be between 5 and 3600 seconds", 2)
    try:
        text = read_story(
            story,
            settings.max_story_chars,
            chapter=chapter,
            max_document_chars=settings.max_document_chars,
            max_bytes=settings.upload_max_bytes,
        )
    except StoryError as exc:
        raise fail(str(exc), 2) from None
    platform = _connected(settings)
    options = ProjectOptions.model_validate(
        {
            "style": style,
            "title": title,
            "aspect": aspect,
            "language": lang,
            "voice": voice,
            "music": music,
            "target_seconds": length,
            "seed": seed,
            "quality": "preview" if preview else "final",
        }
    )
    with platform.session() as s:
        project, _ = create_project(s, platform.kinds, text, options)
    out.print(project.id)
    if not wait:
        platform.stop(0)
        return
    platform.start()
    try:
        counts = platform.wait_for_project(project.id, timeout)
    except TimeoutError as exc:
        raise fail(str(exc)) from None
    finally:
        platform.stop(5)
    _print_outcome(settings, project.id, counts)


def _print_outcome(settings: Settings, project_id: str, counts: dict[str, int]) -> None:
    from storyreel.db.repositories import projects as projects_repo
    from storyreel.db.repositories import tasks as tasks_repo

    db = _database(settings)
    with db.session() as s:
        renders = projects_repo.renders(s, project_id)
        video = projects_repo.asset(s, renders[0].video_asset_id) if renders else None
        failed = [t for t in tasks_repo.for_project(s, project_id) if t.status == "failed"]
    if failed:
        first = failed[0]
        reason = (first.error or {}).get("message", "")
        raise fail(f"{len(failed)} task(s) failed; first: {first.kind} {first.id}: {reason}")
    if video is not None:
        out.print(f"video: {settings.data_dir / 'blobs' / video.blob_key}")
    out.print(", ".join(f"{n} {status}" for status, n in sorted(counts.items())))


@project_app.command("list")
def project_list(limit: Annotated[int, typer.Option(min=1, max=1000)] = 50) -> None:
    """The most recent projects."""
    from storyreel.db.repositories import projects as projects_repo
    from storyreel.db.repositories import tasks as tasks_repo

    db = _checked_db()
    table = Table(_id("id"), "title", "style", "created", "tasks")
    with db.session() as s:
        for p in projects_repo.listing(s, limit):
            statuses = [t.status for t in tasks_repo.for_project(s, p.id)]
            summary = ", ".join(f"{statuses.count(x)} {x}" for x in STATUSES if x in statuses)
            table.add_row(p.id, p.title, p.style, f"{p.created_at:%Y-%m-%d %H:%M}", summary)
    out.print(table)


@project_app.command("show")
def project_show(project_id: Annotated[str, typer.Argument(help="The project's id.")]) -> None:
    """A project's shots, task states and outputs."""
    from storyreel.db.repositories import projects as projects_repo
    from storyreel.db.repositories import tasks as tasks_repo

    settings = load_settings()
    db = _checked_db(settings)
    with db.session() as s:
        project = projects_repo.get(s, project_id)
        if project is None:
            raise fail(f"no project {project_id!r} (see `storyreel project list`)", 2)
        shots = projects_repo.shots(s, project_id)
        tasks = tasks_repo.for_project(s, project_id)
        renders = projects_repo.renders(s, project_id)
        videos = {r.id: projects_repo.asset(s, r.video_asset_id) for r in renders}
    out.print(f"[bold]{project.title}[/]  {project.id}  style={project.style} {project.aspect}")
    by_shot: dict[str | None, list[str]] = {}
    for t in tasks:
        by_shot.setdefault(t.shot_id, []).append(f"{t.kind}:{t.status}")
    shot_table = Table("#", "type", "narration", "tasks")
    for shot in shots:
        narration = shot.narration if len(shot.narration) <= 60 else shot.narration[:59] + "…"
        shot_table.add_row(
            str(shot.position + 1), shot.shot_type, narration, " ".join(by_shot.get(shot.id, []))
        )
    if shots:
        out.print(shot_table)
    task_table = Table(
        _id("task"), _word("kind"), _word("status"), "tries", "done", "message / error"
    )
    for t in tasks:
        if t.shot_id is None:
            detail = (t.error or {}).get("message") or t.message
            task_table.add_row(
                t.id,
                t.kind,
                t.status,
                f"{t.attempts}/{t.max_attempts}",
                f"{t.progress:.0f}%",
                detail,
            )
    out.print(task_table)
    for r in renders:
        video = videos[r.id]
        where = settings.data_dir / "blobs" / video.blob_key if video else "?"
        out.print(f"render {r.id}: {r.duration:.1f} s {r.width}×{r.height} {r.quality} → {where}")


def _checked_db(settings: Settings | None = None) -> Database:
    from sqlalchemy.exc import OperationalError

    from storyreel.db import migrate as migrations

    db = _database(settings or load_settings())
    try:
        migrations.ensure_migrated(db)
    except migrations.DatabaseNotMigrated as exc:
        raise fail(str(exc), 2) from None
    except OperationalError as exc:
        raise fail(f"cannot open the database: {exc.orig}", 2) from None
    return db


@tasks_app.command("list")
def tasks_list(
    status: Annotated[
        list[str] | None, typer.Option(help=f"Only these statuses ({', '.join(STATUSES)}).")
    ] = None,
    project: Annotated[str | None, typer.Option(help="Only this project's tasks.")] = None,
    kind: Annotated[str | None, typer.Option(help="Only this kind of task.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10000)] = 100,
) -> None:
    """Tasks, newest first."""
    bad = [s for s in status or [] if s not in STATUSES]
    if bad:
        raise fail(f"unknown status {bad[0]!r}; choose from: {', '.join(STATUSES)}", 2)
    from storyreel.db.repositories import tasks as tasks_repo

    db = _checked_db()
    table = Table(_id("task"), _word("kind"), _word("status"), "tries", _id("project"), "error")
    with db.session() as s:
        rows = tasks_repo.listing(
            s, status=status or (), project_id=project, kind=kind, limit=limit
        )
        for t in rows:
            table.add_row(
                t.id,
                t.kind,
                t.status,
                f"{t.attempts}/{t.max_attempts}",
                t.project_id or "",
                (t.error or {}).get("message", ""),
            )
    out.print(table)


def _task_action(task_id: str, action: Literal["retry", "cancel"]) -> None:
    from storyreel.tasks import service

    settings = load_settings()
    # Cancelling needs no executor here: the worker running the task notices at its heartbeat.
    platform = _connected(settings)
    try:
        with platform.session() as s:
            if action == "retry":
                task = service.retry(s, task_id, platform.kinds)
                out.print(f"{task.id}: {task.status}")
            else:
                cancelled = service.cancel(s, task_id)
                out.print(
                    f"cancelled {len(cancelled)} task(s)" if cancelled else "nothing to cancel"
                )
    except TaskNotFound:
        raise fail(f"no task {task_id!r} (see `storyreel tasks list`)", 2) from None
    except InvalidTransition as exc:
        raise fail(str(exc), 2) from None
    finally:
        platform.stop(0)


@tasks_app.command("retry")
def tasks_retry(task_id: str) -> None:
    """Run a failed or cancelled task again (and the dependents it took down)."""
    _task_action(task_id, "retry")


@tasks_app.command("cancel")
def tasks_cancel(task_id: str) -> None:
    """Cancel a task and everything that depends on it; a running one is stopped."""
    _task_action(task_id, "cancel")


def worker(
    executor: Annotated[
        str | None, typer.Option(help="local or celery; default: STORYREEL_EXECUTOR.")
    ] = None,
    queues: Annotated[
        str, typer.Option("-Q", "--queues", help="Resource classes to serve, comma-separated.")
    ] = ",".join(RESOURCES),
    concurrency: Annotated[
        int | None,
        typer.Option(min=1, max=256, help="Tasks at once per class (default: settings)."),
    ] = None,
) -> None:
    """Run tasks until stopped (Ctrl-C or SIGTERM hands running tasks back)."""
    settings = load_settings()
    from storyreel.tasks.executors.registry import (
        ExecutorUnavailable,
        executor_names,
        run_worker,
    )

    chosen = executor or settings.executor
    if chosen not in executor_names():
        raise fail(f"--executor must be one of {', '.join(executor_names())}, not {chosen!r}", 2)
    wanted = [q.strip() for q in queues.split(",") if q.strip()]
    unknown = [q for q in wanted if q not in RESOURCES]
    if unknown or not wanted:
        raise fail(f"unknown queue {unknown[0] if unknown else ''!r}; use {','.join(RESOURCES)}", 2)
    limits = settings.concurrency.model_dump()
    limits = {r: (concurrency or limits[r]) if r in wanted else 0 for r in RESOURCES}
    settings = settings.model_copy(
        update={"executor": chosen, "concurrency": Concurrency(**limits)}
    )
    # A worker sends webhooks too, so a deployment without an API process still delivers them
    # (the delivery table's claims keep several senders from sending one twice).
    platform = _platform(settings, deliver_webhooks=True)
    err.print(f"worker {platform.runner.worker} serving {', '.join(wanted)} ({chosen} executor)")
    try:
        run_worker(chosen, platform, wanted, max(limits[q] for q in wanted), drain_s=10)
    except ExecutorUnavailable as exc:
        raise fail(str(exc), 2) from None


def _age(then: datetime, now: datetime) -> str:
    seconds = max(0, int((now - then).total_seconds()))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit} ago"
    return f"{seconds}s ago"


def workers(
    limit: Annotated[int, typer.Option(min=1, max=1000, help="At most this many.")] = 100,
) -> None:
    """Processes that run tasks: running, idle, lost (silent past the lease) or stopped."""
    from storyreel.db.repositories import workers as workers_repo
    from storyreel.db.types import utcnow

    settings = load_settings()
    db = _checked_db(settings)
    now = utcnow()
    table = Table(
        _id("worker"),
        "host",
        "pid",
        "version",
        "queues",
        _word("state"),
        "heartbeat",
        "task",
        "GPU",
    )
    with db.reading() as s:
        rows, total = workers_repo.page(s, 0, limit)
    colour = {"running": "green", "idle": "cyan", "lost": "bold red", "stopped": "dim"}
    for w in rows:
        state = workers_repo.state_of(w, now, settings.lease_s)
        task = f"{w.task_kind} {w.task_id}" if w.task_id else ""
        if w.tasks_running > 1:
            task += f" (+{w.tasks_running - 1})"
        gpu = ""
        if w.gpu_name:
            gpu = w.gpu_name + (f" {w.gpu_memory_mb / 1024:.0f} GiB" if w.gpu_memory_mb else "")
        table.add_row(
            w.id,
            w.host,
            str(w.pid),
            w.version,
            ",".join(w.queues or []),
            f"[{colour[state]}]{state}[/]",
            _age(w.last_heartbeat_at, now),
            task,
            gpu,
        )
    if not rows:
        out.print("no workers have registered (start one with `storyreel worker`)")
        return
    out.print(table)
    if total > len(rows):
        out.print(f"{len(rows)} of {total} shown (--limit)")


# --- the orphan sweep ---------------------------------------------------------------------------

#: Key folders the sweep looks in. ``cache/`` is left alone: the provider result cache is
#: content-addressed and shared by every project, and no asset row names its entries.
SWEPT_PREFIXES = ("projects", "users")
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str) -> timedelta:
    """``90s``, ``30m``, ``1h``, ``2d`` (a bare number is seconds)."""
    found = _DURATION.match(text)
    if found is None:
        raise ValueError(f"not a duration: {text!r} (use e.g. 30m, 1h, 2d)")
    return timedelta(seconds=float(found[1]) * _UNITS[found[2]])


@dataclass
class Sweep:
    """What a sweep found: unreferenced keys older than the grace period (at most ``limit``)."""

    scanned: int = 0
    orphans: list[StoredKey] = field(default_factory=list)
    fresh: int = 0  # unreferenced but inside the grace period: maybe being uploaded now
    more: bool = False  # the limit stopped the scan

    @property
    def bytes(self) -> int:
        return sum(k.size for k in self.orphans)


def find_orphans(
    store: BlobStore, db: Database, now: datetime, grace: timedelta, limit: int
) -> Sweep:
    """Blob keys under ``SWEPT_PREFIXES`` that no asset references and that were last written
    before ``now - grace`` (a task uploading now has not recorded its asset yet)."""
    from storyreel.db.repositories import blobs as blobs_repo

    sweep = Sweep()
    cutoff = now - grace
    batch: list[StoredKey] = []

    def flush() -> None:
        with db.reading() as s:
            used = blobs_repo.referenced(s, [k.key for k in batch])
        for k in batch:
            if k.key in used:
                continue
            if k.modified > cutoff:
                sweep.fresh += 1
            elif len(sweep.orphans) < limit:
                sweep.orphans.append(k)
            else:
                sweep.more = True
        batch.clear()

    for prefix in SWEPT_PREFIXES:
        for found in store.iter_keys(prefix):
            sweep.scanned += 1
            batch.append(found)
            if len(batch) >= 500:
                flush()
            if sweep.more:
                return sweep
        flush()
        if sweep.more:
            return sweep
    return sweep


def delete_orphans(store: BlobStore, db: Database, orphans: list[StoredKey]) -> list[StoredKey]:
    """Delete ``orphans``, each checked again just before (a task may have recorded an asset
    for a content-addressed key since the scan); returns those deleted."""
    from storyreel.db.repositories import blobs as blobs_repo

    deleted: list[StoredKey] = []
    for start in range(0, len(orphans), 100):
        chunk = orphans[start : start + 100]
        with db.reading() as s:
            used = blobs_repo.referenced(s, [k.key for k in chunk])
        for k in chunk:
            if k.key in used:
                log.info("blob %s is referenced again; kept", k.key)
                continue
            try:
                store.delete(k.key)
            except (OSError, RuntimeError) as exc:  # the next sweep finds it again
                log.warning("could not delete orphan blob %s: %s", k.key, exc)
                continue
            log.info("deleted orphan blob %s (%d bytes)", k.key, k.size)
            deleted.append(k)
    return deleted


def _bytes(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"


@blobs_app.command("sweep")
def blobs_sweep(
    apply: Annotated[
        bool, typer.Option("--apply", help="Delete them (default: only list what would go).")
    ] = False,
    limit: Annotated[
        int, typer.Option(min=1, max=1_000_000, help="At most this many blobs per run.")
    ] = 1000,
    older_than: Annotated[
        str,
        typer.Option(
            help="Grace period: blobs written more recently are kept (a task may be uploading)."
        ),
    ] = "1h",
) -> None:
    """Find blobs under projects/ and users/ that no asset references (a deleted project's
    leftovers, the output of a task that finished after its project was deleted); with
    --apply, delete them."""
    from storyreel.db.types import utcnow
    from storyreel.storage import store_from_settings

    try:
        grace = parse_duration(older_than)
    except ValueError as exc:
        raise fail(f"--older-than: {exc}", 2) from None
    settings = load_settings()
    db = _checked_db(settings)
    try:
        store = store_from_settings(settings)
        sweep = find_orphans(store, db, utcnow(), grace, limit)
    except (ValueError, NotImplementedError) as exc:
        raise fail(str(exc), 2) from None
    now = utcnow()
    verb = "delete" if apply else "would delete"
    for k in sweep.orphans:
        out.print(f"{verb} {k.key}  {_bytes(k.size)}  {_age(k.modified, now)}")
    summary = (
        f"{len(sweep.orphans)} unreferenced blob(s), {_bytes(sweep.bytes)}, "
        f"older than {older_than} (of {sweep.scanned} scanned"
        + (f"; {sweep.fresh} newer kept" if sweep.fresh else "")
        + (f"; stopped at --limit {limit}" if sweep.more else "")
        + ")"
    )
    if not apply:
        hint = "; run with --apply to delete them" if sweep.orphans else ""
        out.print(f"dry run: {summary}{hint}")
        return
    from storyreel.api.logs import configure_logging

    configure_logging(settings.log_format)  # every deletion is logged (stderr), for the record
    deleted = delete_orphans(store, db, sweep.orphans)
    freed = sum(k.size for k in deleted)
    log.info("blob sweep deleted %d orphan blob(s), %d bytes", len(deleted), freed)
    out.print(f"deleted {len(deleted)} unreferenced blob(s), {_bytes(freed)} ({summary})")


def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on (STORYREEL_HOST).")] = None,
    port: Annotated[
        int | None, typer.Option(min=1, max=65535, help="Port (STORYREEL_PORT).")
    ] = None,
) -> None:
    """Run the API (OpenAPI at /docs), the embedded executor and the reaper."""
    import uvicorn

    from storyreel.api.app import create_app
    from storyreel.api.logs import configure_logging

    settings = load_settings()
    configure_logging(settings.log_format)
    app = create_app(settings, platform=_platform(settings))
    err.print(f"storyreel API on http://{host or settings.host}:{port or settings.port}/docs")
    uvicorn.run(
        app,
        host=host or settings.host,
        port=port or settings.port,
        log_config=None,  # our JSON logging, configured above
        proxy_headers=False,
        timeout_graceful_shutdown=15,
    )


def openapi(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")
    ] = None,
) -> None:
    """Print the API's OpenAPI document (the web studio's client is generated from it)."""
    from storyreel.api.openapi import build_spec, render_spec

    text = render_spec(build_spec())
    if output is None:
        sys.stdout.write(text)
        return
    output.write_text(text, encoding="utf-8")
    err.print(f"wrote {output}")


def translate(
    project_id: Annotated[str, typer.Argument(help="The project's id (`storyreel project list`).")],
    to: Annotated[str, typer.Option("--to", help="The language to translate into: zh or en.")],
    bilingual: Annotated[
        bool,
        typer.Option(help="Subtitles in both languages: the original narration under each cue."),
    ] = False,
    voice: Annotated[
        str, typer.Option(help="Voice id; default auto: the target language's default voice.")
    ] = "auto",
    wait: Annotated[
        bool, typer.Option(help="Wait until the translated video is made (auto projects).")
    ] = False,
    timeout: Annotated[float, typer.Option(help="With --wait: give up after seconds.")] = 3600,
) -> None:
    """Translate a project's narration with the LLM into a new project (same shots and
    pictures, new voices); print the new project's id."""
    from storyreel.db.repositories import projects as projects_repo
    from storyreel.pipeline.errors import PipelineError
    from storyreel.pipeline.translate import (
        check_available,
        make_translated_copy,
        translate,
        translation_request,
    )
    from storyreel.providers.base import ProviderError
    from storyreel.providers.llm.translate import OpenAIChatTranslator

    settings = load_settings()
    try:
        check_available(settings)
    except PipelineError as exc:
        raise fail(exc.message, 2) from None
    platform = _connected(settings)
    try:
        with platform.session() as s:
            project = projects_repo.get(s, project_id)
            if project is None:
                raise fail(f"no project {project_id!r} (see `storyreel project list`)", 2)
            request = translation_request(s, project, to)
        translation = translate(OpenAIChatTranslator(settings), request)
        with platform.session() as s:
            project = projects_repo.get(s, project_id)
            if project is None:
                raise fail(f"project {project_id!r} was deleted while it was translated", 2)
            copy, _ = make_translated_copy(
                s,
                platform.kinds,
                project,
                request,
                translation,
                owner_id=project.owner_id,
                bilingual=bilingual,
                voice=voice,
            )
            copy_id = copy.id
    except PipelineError as exc:
        platform.stop(0)
        raise fail(exc.message, 2) from None
    except ProviderError as exc:
        platform.stop(0)
        raise fail(str(exc)) from None
    out.print(copy_id)
    if not wait:
        platform.stop(0)
        return
    platform.start()
    try:
        counts = platform.wait_for_project(copy_id, timeout)
    except TimeoutError as exc:
        raise fail(str(exc)) from None
    finally:
        platform.stop(5)
    _print_outcome(settings, copy_id, counts)


def export(
    project_id: Annotated[str, typer.Argument(help="The project's id (`storyreel project list`).")],
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            help="bundle (zip of the film and its media), otio, otioz, fcp7 (Premiere, "
            "Resolve), edl, or jianying (a JianYing/CapCut draft folder).",
        ),
    ],
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            help="Where to write it: a .zip (bundle) or .otioz file; for otio, fcp7, edl and "
            "jianying a new folder, or a zip of it when the path ends in .zip.",
        ),
    ],
    media_root: Annotated[
        str | None,
        typer.Option(
            help="otio/fcp7/edl: name the media by absolute paths under this folder (where "
            "the export will be on the editing machine) instead of relative paths."
        ),
    ] = None,
) -> None:
    """Export a project's finished render for another editor (docs/exports.md)."""
    from storyreel.pipeline.errors import PipelineError
    from storyreel.pipeline.exports import EXPORT_FORMATS, FOLDER_FORMATS, export_project

    if fmt not in EXPORT_FORMATS:
        raise fail(f"unknown format {fmt!r}; choose one of: {', '.join(EXPORT_FORMATS)}", 2)
    zipped = fmt not in FOLDER_FORMATS or output.suffix.lower() == ".zip"
    if zipped and output.is_dir():
        raise fail(f"{output} is a folder; give the path of the file to write", 2)
    if not zipped and output.exists() and (not output.is_dir() or any(output.iterdir())):
        raise fail(f"{output} already exists; give a new folder (or a path ending in .zip)", 2)
    settings = load_settings()
    platform = _platform(settings)
    try:
        written = export_project(
            platform, project_id, fmt, output, zipped=zipped, media_root=media_root
        )
    except PipelineError as exc:
        raise fail(exc.message, 2) from None
    except OSError as exc:
        raise fail(f"cannot write {output}: {exc.strerror or exc}") from None
    finally:
        platform.stop(0)
    out.print(str(written.path))


def register_ops(app: typer.Typer) -> None:
    app.command()(translate)
    app.command()(export)
    app.command()(serve)
    app.command()(openapi)
    app.command()(migrate)
    app.command()(worker)
    app.command()(workers)
    app.add_typer(project_app, name="project")
    app.add_typer(tasks_app, name="tasks")
    app.add_typer(blobs_app, name="blobs")
