"""Pictures from a ComfyUI server, through its HTTP API and a workflow template.

A workflow is ComfyUI's *API format* JSON (in ComfyUI: Workflow → Export (API)), with
placeholders where storyreel fills in the shot:

- a string value that is exactly ``"{{name}}"`` becomes the typed value (``"{{seed}}"`` → the
  number 42, so number inputs stay numbers);
- ``{{name}}`` inside a longer string is replaced by the value's text
  (``"storyreel_{{seed}}"`` → ``"storyreel_42"``).

Names: ``prompt``, ``negative_prompt``, ``seed``, ``width``, ``height``, ``steps``, ``cfg``,
``denoise``, ``model`` (the checkpoint), and, when the shot has character reference pictures,
``reference_image`` (the first, as uploaded to ComfyUI's input folder) and ``reference_image_1``,
``reference_image_2``... An unknown name is an error naming it.

The flow: upload references (``POST /upload/image``), queue the workflow (``POST /prompt`` with
our ``client_id``), poll ``GET /history/{prompt_id}`` until it holds the run (``GET /queue``
tells where it waits meanwhile), then fetch the saved picture (``GET /view``). Validation
errors (400 with ``node_errors``) and execution errors (in the history's status) are reported
with the node that failed. A run that outlives the time limit is taken off the queue.
"""

from __future__ import annotations

import copy
import hashlib
import json
import logging
import math
import re
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import httpx

from storyreel.domain.visual_words import PromptFamily
from storyreel.providers.base import (
    Health,
    ImageGenerator,
    ImageResult,
    ImageSpec,
    ProviderError,
    ProviderNotConfigured,
    Usage,
)
from storyreel.providers.http import HttpService, ProviderHttpError
from storyreel.providers.image.families import chosen, family_by_name
from storyreel.providers.image.fitting import cover_png, open_image
from storyreel.providers.image.settings import COMFYUI, ComfyUISettings
from storyreel.providers.remote import Connection, Transport, poll, priced, service_health
from storyreel.settings import Settings

log = logging.getLogger(__name__)

WORKFLOWS = Path(__file__).parent / "comfyui_workflows"
DEFAULT_WORKFLOW = WORKFLOWS / "txt2img.json"
DEFAULT_REFERENCE_WORKFLOW = WORKFLOWS / "reference.json"
_SETTING = COMFYUI.env_prefix
_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_WHOLE = re.compile(r"^\s*\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}\s*$")
_MESSAGE_CHARS = 1200


# --- workflow templates -----------------------------------------------------------------------


@dataclass(frozen=True)
class Workflow:
    """An API-format workflow and the placeholders it uses."""

    path: Path
    nodes: dict[str, Any]
    placeholders: frozenset[str]

    @classmethod
    def load(cls, path: Path, setting: str) -> Workflow:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ProviderNotConfigured("comfyui", setting, f"cannot read {path}: {exc}") from exc
        if isinstance(data, dict) and isinstance(data.get("prompt"), dict):
            data = data["prompt"]  # a saved POST /prompt body
        if isinstance(data, dict) and "nodes" in data and "links" in data:
            raise ProviderNotConfigured(
                "comfyui",
                setting,
                f"{path} is in ComfyUI's UI format; export it with Workflow → Export (API)",
            )
        if not (
            isinstance(data, dict)
            and data
            and all(isinstance(n, dict) and "class_type" in n for n in data.values())
        ):
            raise ProviderNotConfigured(
                "comfyui",
                setting,
                f"{path} is not an API-format workflow (node id → {{class_type, inputs}})",
            )
        return cls(path, data, frozenset(_placeholders(data)))

    def fill(self, values: dict[str, Any]) -> dict[str, Any]:
        """A copy with every placeholder replaced; an unknown one raises, naming it."""
        missing = sorted(self.placeholders - values.keys())
        if missing:
            needs_reference = [m for m in missing if m.startswith("reference_image")]
            why = (
                " (this shot has no reference picture for it)"
                if needs_reference and len(needs_reference) == len(missing)
                else f"; known: {', '.join(sorted(values))}"
            )
            raise ProviderError(
                f"comfyui: the workflow {self.path.name} uses {{{{{missing[0]}}}}}, which has no "
                f"value{why}"
            )
        return _substitute(copy.deepcopy(self.nodes), values)  # type: ignore[no-any-return]


def _placeholders(value: Any) -> set[str]:
    if isinstance(value, str):
        return set(_PLACEHOLDER.findall(value))
    if isinstance(value, dict):
        return set().union(*(_placeholders(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(_placeholders(v) for v in value))
    return set()


def _substitute(value: Any, values: dict[str, Any]) -> Any:
    if isinstance(value, str):
        whole = _WHOLE.match(value)
        if whole:
            return values[whole.group(1)]
        return _PLACEHOLDER.sub(lambda m: str(values[m.group(1)]), value)
    if isinstance(value, dict):
        return {k: _substitute(v, values) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, values) for v in value]
    return value


def generation_size(width: int, height: int, resolution: int) -> tuple[int, int]:
    """About ``resolution``² pixels in the frame's aspect ratio, sides multiples of 64."""
    aspect = width / height
    area = resolution * resolution

    def side(x: float) -> int:
        return max(64, round(x / 64) * 64)

    return side(math.sqrt(area * aspect)), side(math.sqrt(area / aspect))


# --- errors ComfyUI reports -------------------------------------------------------------------


def node_errors_text(body: Any) -> str | None:
    """A /prompt refusal (``{"error": {...}, "node_errors": {...}}``) in a sentence or two."""
    if not isinstance(body, dict) or "node_errors" not in body:
        return None
    error = body.get("error")
    parts: list[str] = []
    if isinstance(error, dict):
        head = str(error.get("message") or error.get("type") or "refused")
        details = error.get("details")
        parts.append(f"{head}: {details}" if details else head)
    elif error:
        parts.append(str(error))
    nodes = body.get("node_errors")
    if isinstance(nodes, dict):
        for node_id, info in nodes.items():
            if not isinstance(info, dict):
                continue
            for item in info.get("errors") or []:
                if isinstance(item, dict):
                    what = str(item.get("message", "error"))
                    if item.get("details"):
                        what += f": {item['details']}"
                    parts.append(f"node {node_id} ({info.get('class_type', '?')}): {what}")
    return "; ".join(parts)[:_MESSAGE_CHARS] if parts else None


def execution_error(entry: dict[str, Any]) -> ProviderError | None:
    """The failure recorded in a history entry's status, if the run failed."""
    status = entry.get("status")
    if not isinstance(status, dict) or status.get("status_str") != "error":
        return None
    for message in status.get("messages") or []:
        if not (isinstance(message, list) and len(message) == 2 and isinstance(message[1], dict)):
            continue
        kind, data = message
        where = f"node {data.get('node_id', '?')} ({data.get('node_type', '?')})"
        if kind == "execution_error":
            exc_type = str(data.get("exception_type", "error"))
            text = f"{exc_type}: {data.get('exception_message', '')}".strip()
            return ProviderError(
                f"comfyui: the workflow failed in {where}: {text}"[:_MESSAGE_CHARS],
                retryable="OutOfMemory" in exc_type,
            )
        if kind == "execution_interrupted":
            return ProviderError(f"comfyui: the run was interrupted in {where}", retryable=True)
    return ProviderError("comfyui: the workflow failed (no error message in its history)")


class _ComfyService(HttpService):
    """ComfyUI's refusals carry the failing nodes; say which, not just 'HTTP 400'."""

    def _status_error(self, response: httpx.Response) -> ProviderHttpError:
        error = super()._status_error(response)
        try:
            text = node_errors_text(response.json())
        except ValueError:
            text = None
        if text is None:
            return error
        return ProviderHttpError(
            f"{self.name}: the workflow was refused: {text}",
            retryable=error.retryable,
            status=error.status,
            retry_after_s=error.retry_after_s,
            fall_over=error.fall_over,
        )


# --- the provider -----------------------------------------------------------------------------


class ComfyUIImages(ImageGenerator):
    """A picture per call from a ComfyUI workflow, as a PNG of the exact frame."""

    name: ClassVar[str] = "comfyui"
    section = COMFYUI
    quality: ClassVar[int] = 4
    speed: ClassVar[int] = 3
    deterministic: ClassVar[bool] = True  # a fixed seed gives the same picture

    def __init__(self, settings: Settings, transport: Transport | None = None) -> None:
        super().__init__(settings)
        self.config: ComfyUISettings = settings.comfyui
        self._transport = transport or Transport()
        self._connection = Connection(self._connect)
        self._workflows: dict[Path, tuple[float, Workflow]] = {}
        self._lock = threading.Lock()
        self.client_id = uuid.uuid4().hex

    prompt_family: ClassVar[PromptFamily] = "sdxl"

    @property
    def model(self) -> str:
        return self.config.checkpoint

    def family_for(self, model: str | None = None) -> PromptFamily:
        """The setting, else by the checkpoint's file name (FLUX, Qwen-Image, SD 1.5...), else
        SDXL, the bundled workflow's model."""
        guessed = family_by_name(model or self.config.checkpoint, self.prompt_family)
        return chosen(self.config.prompt_family, guessed)

    def _workflow(self, references: bool) -> Workflow:
        if references:
            path = self.config.reference_workflow or DEFAULT_REFERENCE_WORKFLOW
            setting = f"{_SETTING}REFERENCE_WORKFLOW"
        else:
            path = self.config.workflow or DEFAULT_WORKFLOW
            setting = f"{_SETTING}WORKFLOW"
        try:
            mtime = path.stat().st_mtime
        except OSError as exc:
            raise ProviderNotConfigured(self.name, setting, f"cannot read {path}: {exc}") from exc
        with self._lock:
            cached = self._workflows.get(path)
            if cached is None or cached[0] != mtime:  # edited while we run: read it again
                cached = (mtime, Workflow.load(path, setting))
                self._workflows[path] = cached
        return cached[1]

    def health(self) -> Health:
        return service_health(lambda: self._http(), "system_stats")

    def prices(self) -> dict[str, float]:
        return {"images": self.config.price_per_image}

    def check(self) -> None:
        if self.config.url is None:
            raise ProviderNotConfigured(
                self.name, f"{_SETTING}URL", "no ComfyUI server is set (e.g. http://127.0.0.1:8188)"
            )
        self._workflow(references=False)
        self._workflow(references=True)

    def _http(self) -> HttpService:
        return self._connection.get()

    def _connect(self) -> HttpService:
        self.check()
        assert self.config.url is not None
        return self._transport.service(
            f"comfyui at {self.config.url}",
            self.config.url,
            timeout_s=self.config.timeout_s,
            api_key=self.config.api_key,
            kind=_ComfyService,
            auth_hint=self.key_advice(),
        )

    def values(self, prompt: str, spec: ImageSpec, references: list[str]) -> dict[str, Any]:
        """What the placeholders are filled with for this picture."""
        width, height = generation_size(spec.width, spec.height, self.config.resolution)
        values: dict[str, Any] = {
            "prompt": prompt,
            "negative_prompt": spec.negative_prompt,
            "seed": spec.seed % (1 << 64),  # KSampler takes 0 ... 2**64 - 1
            "width": width,
            "height": height,
            "steps": spec.steps if spec.steps is not None else self.config.steps,
            "cfg": spec.guidance if spec.guidance is not None else self.config.cfg,
            "denoise": self.config.denoise,
            "model": spec.model or self.config.checkpoint,
        }
        if references:
            values["reference_image"] = references[0]
            values.update({f"reference_image_{i}": n for i, n in enumerate(references, 1)})
        return values

    def generate(self, prompt: str, spec: ImageSpec) -> ImageResult:
        began = time.perf_counter()
        service = self._http()
        workflow = self._workflow(references=bool(spec.reference_images))
        uploaded = [self._upload(service, path) for path in spec.reference_images]
        values = self.values(prompt, spec, uploaded)
        graph = workflow.fill(values)
        queued = service.json("POST", "prompt", json={"prompt": graph, "client_id": self.client_id})
        prompt_id = queued.get("prompt_id") if isinstance(queued, dict) else None
        if not isinstance(prompt_id, str) or not prompt_id:
            raise ProviderError(
                f"{service.name}: POST /prompt answered without a prompt_id: {str(queued)[:300]}",
                retryable=True,
            )
        log.info("comfyui: queued %s (%s)", prompt_id, workflow.path.name)
        entry = self._wait(service, prompt_id)
        image_ref = self._output(entry, workflow)
        data = service.request("GET", "view", params=image_ref).content
        image = open_image(data, f"{service.name}: the picture {image_ref.get('filename')}")
        return ImageResult(
            data=cover_png(image, spec.width, spec.height),
            seed=spec.seed,
            usage=Usage(
                provider=self.name,
                model=str(values["model"]),
                seconds=time.perf_counter() - began,
                units=priced({"images": 1.0}, 1.0, self.config.price_per_image),
            ),
            meta={
                "prompt_id": prompt_id,
                "workflow": workflow.path.name,
                "generated_size": [image.width, image.height],
            },
        )

    def _upload(self, service: HttpService, path: Path) -> str:
        """Put a reference picture in ComfyUI's input folder (named by content: uploading it
        again changes nothing); returns the name LoadImage takes."""
        data = path.read_bytes()
        name = f"storyreel-{hashlib.sha256(data).hexdigest()[:20]}{path.suffix.lower() or '.png'}"
        answer = service.json(
            "POST",
            "upload/image",
            files={"image": (name, data, "application/octet-stream")},
            data={"type": "input", "overwrite": "true"},
        )
        if not isinstance(answer, dict) or not answer.get("name"):
            raise ProviderError(f"{service.name}: the upload of {path.name} was not acknowledged")
        subfolder = str(answer.get("subfolder") or "")
        return f"{subfolder}/{answer['name']}" if subfolder else str(answer["name"])

    def _wait(self, service: HttpService, prompt_id: str) -> dict[str, Any]:
        state = {"last": ""}

        def check() -> dict[str, Any] | None:
            history = service.json("GET", f"history/{prompt_id}")
            entry = history.get(prompt_id) if isinstance(history, dict) else None
            if isinstance(entry, dict):  # ComfyUI writes history only when a run ends
                return entry
            where = self._where(service, prompt_id)
            if where != state["last"]:
                log.info("comfyui: %s is %s", prompt_id, where)
                state["last"] = where
            return None

        def timed_out(waited: float) -> ProviderError:
            self._abandon(service, prompt_id)
            return ProviderError(
                f"{service.name}: the picture was not ready within {waited:.0f} s "
                f"({state['last'] or 'waiting'}); {_SETTING}TIME_LIMIT_S is "
                f"{self.config.time_limit_s:g}",
                retryable=True,
            )

        entry = poll(
            check,
            interval_s=self.config.poll_interval_s,
            limit_s=self.config.time_limit_s,
            transport=self._transport,
            on_timeout=timed_out,
        )
        failure = execution_error(entry)
        if failure is not None:
            raise failure
        return entry

    def _where(self, service: HttpService, prompt_id: str) -> str:
        """'running', 'queued (3rd)' or 'not in the queue', from ``GET /queue``."""
        queue = service.json("GET", "queue")
        if not isinstance(queue, dict):
            return "unknown"
        running = queue.get("queue_running") or []
        if any(isinstance(item, list) and prompt_id in item[:2] for item in running):
            return "running"
        pending = sorted(
            (item for item in queue.get("queue_pending") or [] if isinstance(item, list)),
            key=lambda item: float(item[0]) if isinstance(item[0], int | float) else 0.0,
        )
        for position, item in enumerate(pending, 1):
            if prompt_id in item[:2]:
                return f"queued ({position} of {len(pending)})"
        return "finishing"

    def _abandon(self, service: HttpService, prompt_id: str) -> None:
        """Take a run we stopped waiting for off the server: out of the queue, or interrupted
        if it is the one running (only ours: others' runs are left alone)."""
        try:
            where = self._where(service, prompt_id)
            if where == "running":
                service.request("POST", "interrupt", json={"prompt_id": prompt_id})
            elif where.startswith("queued"):
                service.request("POST", "queue", json={"delete": [prompt_id]})
        except ProviderError as exc:
            log.warning("comfyui: could not cancel %s: %s", prompt_id, exc)

    def _output(self, entry: dict[str, Any], workflow: Workflow) -> dict[str, str]:
        """The ``/view`` parameters of the picture the run saved."""
        outputs = entry.get("outputs")
        candidates: list[dict[str, Any]] = []
        if isinstance(outputs, dict):
            for node_id, output in outputs.items():
                if self.config.output_node and node_id != self.config.output_node:
                    continue
                images = output.get("images") if isinstance(output, dict) else None
                candidates += [i for i in images or [] if isinstance(i, dict) and "filename" in i]
        if not candidates:
            where = (
                f"node {self.config.output_node} ({_SETTING}OUTPUT_NODE)"
                if self.config.output_node
                else "the workflow"
            )
            raise ProviderError(
                f"comfyui: {where} saved no image; does {workflow.path.name} end in a SaveImage "
                "node?"
            )
        # Saved pictures before previews (type "temp").
        chosen = min(candidates, key=lambda i: 0 if i.get("type", "output") == "output" else 1)
        return {
            "filename": str(chosen["filename"]),
            "subfolder": str(chosen.get("subfolder", "")),
            "type": str(chosen.get("type", "output")),
        }

    def close(self) -> None:
        self._connection.close()
