"""Structured JSON logs (structlog): every line of the process — ours, Uvicorn's, the task
runner's — goes through one formatter and carries the request id or task id bound in context."""

from __future__ import annotations

import logging
import re
import sys
from typing import IO, Any, Literal

import structlog

_configured = False

# Credentials that can reach a log line inside a URL or a message: query parameters that carry
# one (Uvicorn logs a WebSocket's URL with its query string), API keys and JWTs wherever they
# appear. Redacted on every line the process writes, whoever logged it.
_SECRET_PARAM = re.compile(
    r"(?i)([?&;](?:access_token|refresh_token|token|api_key|apikey|key|secret|password|"
    r"signature|sig|x-amz-signature|x-amz-credential|x-amz-security-token)=)[^&\s\"'#]*"
)
_API_KEY = re.compile(r"\bsr_[A-Za-z0-9_-]{16,}")
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+")
REDACTED = "[redacted]"


def redact(text: str) -> str:
    """``text`` with every credential it carries replaced by ``[redacted]``."""
    if "=" not in text and "sr_" not in text and "eyJ" not in text:
        return text  # the common case: nothing to look for
    text = _SECRET_PARAM.sub(lambda m: m.group(1) + REDACTED, text)
    return _JWT.sub(REDACTED, _API_KEY.sub(REDACTED, text))


def _redact_value(value: Any) -> Any:
    return redact(value) if isinstance(value, str) else value


class RedactCredentials(logging.Filter):
    """Rewrites a record's message (and its string fields) without the credentials in it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, dict):  # a structlog event, rendered later
            record.msg = {k: _redact_value(v) for k, v in record.msg.items()}
            return True
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed record: leave it to the formatter
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


_redactor = RedactCredentials()


def configure_logging(
    fmt: Literal["json", "console"] = "json",
    level: int = logging.INFO,
    stream: IO[str] | None = None,
) -> None:
    global _configured
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.ExtraAdder(),
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer()
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    if not _configured:
        structlog.configure(
            processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
            logger_factory=structlog.stdlib.LoggerFactory(),
            wrapper_class=structlog.stdlib.BoundLogger,
            cache_logger_on_first_use=True,
        )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            renderer,
        ],
    )
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(formatter)
    handler.addFilter(_redactor)
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers = []
        logging.getLogger(name).propagate = True
        # An earlier logging setup (Uvicorn's own dictConfig) may have left it quiet.
        logging.getLogger(name).disabled = False
        logging.getLogger(name).setLevel(logging.NOTSET)
        # Also on the logger: a handler added to it later (an embedding app's) gets clean lines.
        if _redactor not in logging.getLogger(name).filters:
            logging.getLogger(name).addFilter(_redactor)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    # The access log is ours (with the request id); Uvicorn's would say the same thing twice.
    logging.getLogger("uvicorn.access").disabled = True
    _configured = True
