"""The pipeline's refusals, typed: the API maps each to one HTTP status in one place
(``api/errors.py``) and the CLI to a one-line message. Anything else that escapes the pipeline is
a bug: a logged 500, never the client's fault.

Each error is a ``ValueError`` or ``LookupError`` as well, so code that only cares that a value
was refused keeps working; new code catches these names.
"""

from __future__ import annotations


class PipelineError(Exception):
    """Base of the pipeline's expected refusals. ``field`` names the input at fault, if one is."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(PipelineError, LookupError):
    """What the request names does not exist (a shot, a character, a project)."""


class Conflict(PipelineError, ValueError):
    """Not now: the project is not in a state where this can happen (e.g. no storyboard yet)."""


class InvalidInput(PipelineError, ValueError):
    """A value the caller sent is not acceptable; the message says which and why."""


# Kept under its old name: "the step cannot run yet" is a conflict with the project's state.
NotReady = Conflict
