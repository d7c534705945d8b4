"""What every CLI command shares: the consoles, one-line errors and settings loading."""

from __future__ import annotations

import sys

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape

from storyreel.settings import Settings

err = Console(stderr=True, highlight=False)
# Piped output is read by scripts: wide enough that tables never shorten an id.
out = Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 160)


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print a one-line error (plus optional detail lines) and return the exit to raise."""
    err.print(f"[bold red]error:[/] {escape(message)}", soft_wrap=True)
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
