"""Fake picture, speech and video services that speak the real HTTP protocols, served on
loopback by uvicorn in a thread: an OpenAI-compatible image API (OpenAI and SiliconFlow
flavours), ComfyUI, OpenAI's speech API, CosyVoice's FastAPI server and a job-based
image-to-video API (shaped like Kling's). Each records what it was sent and can be told to
fail, stall or answer slowly, so tests exercise the providers over real sockets."""

from __future__ import annotations

import asyncio
import base64
import io
import math
import socket
import struct
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Self

import numpy as np
import uvicorn
from fastapi import FastAPI, File, Form, Request, UploadFile
from fastapi.responses import JSONResponse, Response, StreamingResponse
from PIL import Image

from storyreel.providers.http import RetryPolicy
from storyreel.providers.remote import Transport

# --- running an app -----------------------------------------------------------------------------


class LiveServer:
    """An ASGI app on a free loopback port, in a background thread, for one test."""

    def __init__(self, app: FastAPI) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", 0))
        self.port = int(self._socket.getsockname()[1])
        config = uvicorn.Config(
            app, log_level="warning", lifespan="off", timeout_graceful_shutdown=1
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LiveServer:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the fake server did not start")
            time.sleep(0.005)
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._socket.close()


class FakeService:
    """A fake whose ``app`` runs on loopback while it is used as a context manager."""

    app: FastAPI
    url: str = ""
    _server: LiveServer | None = None

    def __enter__(self) -> Self:
        self._server = LiveServer(self.app).__enter__()
        self.url = self._server.url
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.__exit__(*exc)


@dataclass
class FakeClock:
    """Time that passes only when someone sleeps: polling limits and backoffs, instantly."""

    now: float = 1000.0
    sleeps: list[float] = field(default_factory=list)

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def monotonic(self) -> float:
        return self.now


def fast_transport(clock: FakeClock, attempts: int = 3) -> Transport:
    """Real retries and backoff decisions, with waits recorded on ``clock`` instead of slept."""
    return Transport(
        retry=RetryPolicy(attempts=attempts, base_s=0.01, cap_s=0.05, max_wait_s=60.0),
        sleep=clock.sleep,
        clock=clock.monotonic,
    )


@dataclass
class Scripted:
    """A response given instead of the real one (a 429, a 503...), once."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)

    def response(self) -> JSONResponse:
        return JSONResponse(self.body, status_code=self.status, headers=self.headers)


#: OpenAI's own words for a wrong key, help link included: servers that copy its API copy them.
WRONG_KEY = (
    "Incorrect API key provided: sk-wrong. You can find your API key at "
    "https://platform.openai.com/account/api-keys."
)


def _openai_error(status: int, message: str) -> JSONResponse:
    return JSONResponse(
        {"error": {"message": message, "type": "invalid_request_error", "code": None}},
        status_code=status,
    )


# --- pictures -----------------------------------------------------------------------------------

BACKGROUND = (20, 40, 200)
MARK = (30, 220, 60)


def target_png(width: int, height: int) -> bytes:
    """A blue picture with a green centred square (side: half the shorter side): a crop keeps
    the square square and centred; a stretch would not."""
    image = Image.new("RGB", (width, height), BACKGROUND)
    side = min(width, height) // 2
    left, top = (width - side) // 2, (height - side) // 2
    image.paste(MARK, (left, top, left + side, top + side))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def mark_box(png: bytes) -> tuple[int, int, int, int]:
    """Where the green square is in a picture (left, top, right, bottom)."""
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    green = (pixels[..., 1] > 150) & (pixels[..., 2] < 120)
    ys, xs = np.nonzero(green)
    return int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1


class FakeImageAPI(FakeService):
    """``POST /v1/images/generations`` as OpenAI (``data[].b64_json`` or ``data[].url``) or
    SiliconFlow (``image_size`` in, ``images[].url`` out) answers it."""

    def __init__(
        self,
        *,
        api_key: str = "sk-test",
        flavour: str = "openai",
        sizes: tuple[str, ...] = ("1024x1024", "1536x1024", "1024x1536"),
    ) -> None:
        self.api_key = api_key
        self.flavour = flavour
        self.sizes = sizes
        self.script: list[Scripted] = []
        self.delay_s = 0.0
        self.requests: list[dict[str, Any]] = []
        self.downloads: list[dict[str, str]] = []  # headers of each file download
        self.file_host: str | None = None  # serve URLs from another origin (a "CDN")
        self.files: dict[str, bytes] = {}
        self.app = FastAPI()
        self.app.post("/v1/images/generations")(self._generate)
        self.app.get("/files/{name}")(self._file)

    async def _generate(self, request: Request) -> Response:
        if request.headers.get("authorization") != f"Bearer {self.api_key}":
            return _openai_error(401, WRONG_KEY)
        body = await request.json()
        self.requests.append(body)
        if self.script:
            return self.script.pop(0).response()
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        size_key = "image_size" if self.flavour == "siliconflow" else "size"
        size = body.get(size_key)
        if size not in self.sizes:
            return _openai_error(400, f"Invalid value: {size!r}. Supported: {self.sizes}")
        if body.get("model") == "gpt-image-1" and "response_format" in body:
            return _openai_error(400, "Unknown parameter: 'response_format'.")
        width, height = (int(x) for x in size.split("x"))
        png = target_png(width, height)
        name = f"{uuid.uuid4().hex}.png"
        self.files[name] = png
        url = f"{self.file_host or str(request.base_url).rstrip('/')}/files/{name}"
        if self.flavour == "siliconflow":
            return JSONResponse(
                {"images": [{"url": url}], "timings": {"inference": 0.2}, "seed": body.get("seed")}
            )
        if body.get("response_format") == "url":
            return JSONResponse({"created": int(time.time()), "data": [{"url": url}]})
        item = {"b64_json": base64.b64encode(png).decode(), "revised_prompt": body["prompt"] + "!"}
        return JSONResponse({"created": int(time.time()), "data": [item]})

    async def _file(self, name: str, request: Request) -> Response:
        self.downloads.append(dict(request.headers))
        if name not in self.files:
            return Response(status_code=404)
        return Response(self.files[name], media_type="image/png")


class FakeFileHost(FakeService):
    """A second origin that serves another fake's files (as a CDN would)."""

    def __init__(self, source: FakeImageAPI) -> None:
        self.app = FastAPI()
        self.app.get("/files/{name}")(source._file)


# --- ComfyUI ------------------------------------------------------------------------------------


@dataclass
class _Run:
    prompt_id: str
    number: int
    graph: dict[str, Any]
    polls_left: int
    size: tuple[int, int]


class FakeComfyUI(FakeService):
    """ComfyUI's HTTP API: ``/prompt`` with validation errors in ComfyUI's shape, ``/history``
    that stays empty until the run ends, ``/queue``, ``/upload/image``, ``/view``,
    ``/interrupt``."""

    def __init__(self, *, checkpoints: tuple[str, ...] = ("sd_xl_base_1.0.safetensors",)) -> None:
        self.checkpoints = checkpoints
        self.history_polls_before_done = 3
        self.execution_error: dict[str, Any] | None = None
        self.script: list[Scripted] = []
        self.prompts: list[dict[str, Any]] = []
        self.uploads: dict[str, bytes] = {}
        self.history_polls = 0
        self.queue_polls = 0
        self.interrupted: list[Any] = []
        self.deleted: list[Any] = []
        self.views: list[dict[str, str]] = []
        self.runs: dict[str, _Run] = {}
        self._number = 0
        app = self.app = FastAPI()
        app.post("/prompt")(self._prompt)
        app.get("/history/{prompt_id}")(self._history)
        app.get("/queue")(self._queue)
        app.post("/queue")(self._queue_post)
        app.post("/upload/image")(self._upload)
        app.get("/view")(self._view)
        app.post("/interrupt")(self._interrupt)

    def _validate(self, graph: dict[str, Any]) -> dict[str, Any]:
        errors: dict[str, Any] = {}

        def fail(node_id: str, kind: str, message: str, details: str) -> None:
            errors[node_id] = {
                "errors": [
                    {"type": kind, "message": message, "details": details, "extra_info": {}}
                ],
                "dependent_outputs": ["9"],
                "class_type": graph[node_id]["class_type"],
            }

        for node_id, node in graph.items():
            inputs = node.get("inputs", {})
            kind = node["class_type"]
            if kind == "CheckpointLoaderSimple" and inputs["ckpt_name"] not in self.checkpoints:
                fail(
                    node_id,
                    "value_not_in_list",
                    "Value not in list",
                    f"ckpt_name: '{inputs['ckpt_name']}' not in {list(self.checkpoints)}",
                )
            if kind == "LoadImage" and inputs["image"] not in self.uploads:
                fail(
                    node_id,
                    "custom_validation_failed",
                    "Custom validation failed for node",
                    f"image - Invalid image file: {inputs['image']}",
                )
            for name in ("width", "height", "steps", "seed", "batch_size"):
                if name in inputs and not isinstance(inputs[name], int):
                    fail(
                        node_id,
                        "invalid_input_type",
                        "Failed to convert an input value to a INT value",
                        f"{name}, {inputs[name]!r}",
                    )
            if kind == "KSampler" and not isinstance(inputs["cfg"], int | float):
                fail(
                    node_id,
                    "invalid_input_type",
                    "Failed to convert an input value to a FLOAT value",
                    f"cfg, {inputs['cfg']!r}",
                )
        return errors

    async def _prompt(self, request: Request) -> Response:
        body = await request.json()
        self.prompts.append(body)
        if self.script:
            return self.script.pop(0).response()
        if "prompt" not in body:
            return JSONResponse({"error": "no prompt", "node_errors": []}, status_code=400)
        graph = body["prompt"]
        errors = self._validate(graph)
        if errors:
            error = {
                "type": "prompt_outputs_failed_validation",
                "message": "Prompt outputs failed validation",
                "details": "",
                "extra_info": {},
            }
            return JSONResponse({"error": error, "node_errors": errors}, status_code=400)
        size = next(
            (n["inputs"]["width"], n["inputs"]["height"])
            for n in graph.values()
            if n["class_type"] in ("EmptyLatentImage", "ImageScale")
        )
        self._number += 1
        run = _Run(str(uuid.uuid4()), self._number, graph, self.history_polls_before_done, size)
        self.runs[run.prompt_id] = run
        return JSONResponse({"prompt_id": run.prompt_id, "number": run.number, "node_errors": {}})

    def _history(self, prompt_id: str) -> Response:
        self.history_polls += 1
        run = self.runs.get(prompt_id)
        if run is None or run.polls_left > 0:
            if run is not None:
                run.polls_left -= 1
            return JSONResponse({})
        messages: list[Any] = [["execution_start", {"prompt_id": prompt_id}]]
        if self.execution_error is not None:
            messages.append(["execution_error", {"prompt_id": prompt_id, **self.execution_error}])
            status = {"status_str": "error", "completed": False, "messages": messages}
            return JSONResponse({prompt_id: {"prompt": [], "outputs": {}, "status": status}})
        run.polls_left = -1  # done: off the queue
        messages.append(["execution_success", {"prompt_id": prompt_id}])
        outputs = {
            # A preview node first: the saved picture must still be the one chosen.
            "20": {
                "images": [{"filename": "ComfyUI_temp_0001.png", "subfolder": "", "type": "temp"}]
            },
            "9": {
                "images": [
                    {
                        "filename": f"storyreel_{run.number:05d}_.png",
                        "subfolder": "runs",
                        "type": "output",
                    }
                ]
            },
        }
        status = {"status_str": "success", "completed": True, "messages": messages}
        return JSONResponse({prompt_id: {"prompt": [], "outputs": outputs, "status": status}})

    def _queue(self) -> Response:
        self.queue_polls += 1
        running, pending = [], []
        for run in self.runs.values():
            item = [run.number, run.prompt_id, run.graph, {}, ["9"]]
            if run.polls_left > 1:
                pending.append(item)
            elif run.polls_left >= 0:
                running.append(item)
        return JSONResponse({"queue_running": running[:1], "queue_pending": running[1:] + pending})

    async def _queue_post(self, request: Request) -> Response:
        self.deleted.append(await request.json())
        return Response(status_code=200)

    async def _interrupt(self, request: Request) -> Response:
        self.interrupted.append(await request.json())
        return Response(status_code=200)

    async def _upload(
        self,
        image: UploadFile = File(),  # noqa: B008 - FastAPI declares parameters as defaults
        type: str = Form("input"),
        overwrite: str = Form("false"),
    ) -> Response:
        self.uploads[image.filename or "upload.png"] = await image.read()
        return JSONResponse({"name": image.filename, "subfolder": "", "type": type})

    def _view(self, filename: str, subfolder: str = "", type: str = "output") -> Response:
        self.views.append({"filename": filename, "subfolder": subfolder, "type": type})
        for run in self.runs.values():
            if filename == f"storyreel_{run.number:05d}_.png" and subfolder == "runs":
                return Response(target_png(*run.size), media_type="image/png")
        return Response(status_code=404)


# --- speech -------------------------------------------------------------------------------------


def tone(frames: int, rate: int) -> bytes:
    """A 440 Hz tone as 16-bit mono PCM."""
    t = np.arange(frames) / rate
    return (np.sin(2 * math.pi * 440 * t) * 12000).astype("<i2").tobytes()


def streaming_wav(pcm: bytes, rate: int) -> bytes:
    """A WAV as OpenAI streams it: the sizes in the header are placeholders (0xFFFFFFFF)."""
    header = struct.pack(
        "<4sI4s4sIHHIIHH4sI",
        b"RIFF",
        0xFFFFFFFF,
        b"WAVE",
        b"fmt ",
        16,
        1,
        1,
        rate,
        rate * 2,
        2,
        16,
        b"data",
        0xFFFFFFFF,
    )
    return header + pcm


class FakeSpeechAPI(FakeService):
    """``POST /v1/audio/speech``: speech lasting ``seconds_per_char`` per character / speed, in
    the format asked for (WAV with a streaming header, MP3 via FFmpeg, or raw PCM)."""

    RATE = 24_000

    def __init__(self, *, api_key: str = "sk-test", seconds_per_char: float = 0.02) -> None:
        self.api_key = api_key
        self.seconds_per_char = seconds_per_char
        self.script: list[Scripted] = []
        self.delay_s = 0.0
        self.requests: list[dict[str, Any]] = []
        self.app = FastAPI()
        self.app.post("/v1/audio/speech")(self._speech)

    def frames_for(self, text: str, speed: float = 1.0) -> int:
        return round(len(text) * self.seconds_per_char / speed * self.RATE)

    async def _speech(self, request: Request) -> Response:
        if request.headers.get("authorization") != f"Bearer {self.api_key}":
            return _openai_error(401, WRONG_KEY)
        body = await request.json()
        self.requests.append(body)
        if self.script:
            return self.script.pop(0).response()
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        if body.get("voice") not in ("alloy", "nova", "onyx"):
            return _openai_error(400, f"Invalid voice {body.get('voice')!r}")
        pcm = tone(self.frames_for(body["input"], float(body.get("speed", 1.0))), self.RATE)
        fmt = body.get("response_format", "mp3")
        if fmt == "wav":
            return Response(streaming_wav(pcm, self.RATE), media_type="audio/wav")
        if fmt == "pcm":
            return Response(pcm, media_type="audio/pcm")
        if fmt == "mp3":
            return Response(_mp3(pcm, self.RATE), media_type="audio/mpeg")
        return _openai_error(400, f"unsupported response_format {fmt!r} in this fake")


def _mp3(pcm: bytes, rate: int) -> bytes:
    import subprocess

    from storyreel.media.ffmpeg import find_ffmpeg

    proc = subprocess.run(
        [
            find_ffmpeg(),
            "-hide_banner",
            "-nostdin",
            "-f",
            "s16le",
            "-ar",
            str(rate),
            "-ac",
            "1",
            "-i",
            "pipe:0",
            "-c:a",
            "libmp3lame",
            "-b:a",
            "64k",
            "-f",
            "mp3",
            "pipe:1",
        ],
        input=pcm,
        capture_output=True,
        check=True,
    )
    return proc.stdout


class FakeCosyVoice(FakeService):
    """CosyVoice's ``runtime/python/fastapi/server.py``: form fields on GET (as the official
    server declares them), raw 16-bit PCM streamed in chunks, no header."""

    SPEAKERS = ("中文女", "中文男", "英文女", "英文男", "日语男", "粤语女", "韩语女")

    def __init__(
        self, *, sample_rate: int = 22_050, seconds_per_char: float = 0.05, method: str = "GET"
    ) -> None:
        self.sample_rate = sample_rate
        self.seconds_per_char = seconds_per_char
        self.announce_rate = False  # forks send X-Custom-Header-sampleRate
        self.script: list[Scripted] = []
        self.requests: list[dict[str, Any]] = []
        app = self.app = FastAPI()
        app.add_api_route("/inference_sft", self._sft, methods=[method])
        app.add_api_route("/inference_zero_shot", self._zero_shot, methods=[method])
        app.add_api_route("/inference_instruct", self._instruct, methods=[method])

    def frames_for(self, text: str) -> int:
        return round(len(text) * self.seconds_per_char * self.sample_rate)

    def _stream(self, text: str) -> Response:
        if self.script:
            return self.script.pop(0).response()
        pcm = tone(self.frames_for(text), self.sample_rate)

        def chunks() -> Iterator[bytes]:
            for i in range(0, len(pcm), 4001):  # odd sizes: samples split across chunks
                yield pcm[i : i + 4001]

        headers = (
            {"X-Custom-Header-sampleRate": str(self.sample_rate)} if self.announce_rate else {}
        )
        return StreamingResponse(chunks(), headers=headers)

    async def _sft(self, tts_text: str = Form(), spk_id: str = Form()) -> Response:
        self.requests.append({"endpoint": "sft", "tts_text": tts_text, "spk_id": spk_id})
        if spk_id not in self.SPEAKERS:
            return StreamingResponse(iter([b""]))  # the real server's stream dies unheard
        return self._stream(tts_text)

    async def _zero_shot(
        self,
        tts_text: str = Form(),
        prompt_text: str = Form(),
        prompt_wav: UploadFile = File(),  # noqa: B008
    ) -> Response:
        audio = await prompt_wav.read()
        self.requests.append(
            {
                "endpoint": "zero_shot",
                "tts_text": tts_text,
                "prompt_text": prompt_text,
                "prompt_wav": audio,
            }
        )
        return self._stream(tts_text)

    async def _instruct(
        self, tts_text: str = Form(), spk_id: str = Form(), instruct_text: str = Form()
    ) -> Response:
        self.requests.append(
            {
                "endpoint": "instruct",
                "tts_text": tts_text,
                "spk_id": spk_id,
                "instruct_text": instruct_text,
            }
        )
        return self._stream(tts_text)


# --- image to video -----------------------------------------------------------------------------


class FakeVideoAPI(FakeService):
    """A job-based image-to-video API shaped like Kling's: ``POST /v1/videos/image2video`` →
    ``data.task_id``; ``GET /v1/videos/image2video/{id}`` → ``data.task_status`` (submitted,
    processing, succeed, failed), ``data.task_status_msg``, ``data.task_result.videos[0].url``."""

    def __init__(self, clip: bytes, *, api_key: str = "kling-key") -> None:
        self.clip = clip
        self.api_key = api_key
        self.states = ["submitted", "processing", "processing", "succeed"]
        self.failure_message = "image failed the content check"
        self.script: list[Scripted] = []
        self.submissions: list[dict[str, Any]] = []
        self.polls: list[str] = []
        self.downloads = 0
        self._jobs: dict[str, list[str]] = {}
        app = self.app = FastAPI()
        app.post("/v1/videos/image2video")(self._submit)
        app.get("/v1/videos/image2video/{task_id}")(self._status)
        app.get("/cdn/{task_id}.mp4")(self._download)

    async def _submit(self, request: Request) -> Response:
        if request.headers.get("x-api-key") != self.api_key:
            return JSONResponse({"code": 1000, "message": "Authentication failed"}, 401)
        body = await request.json()
        self.submissions.append(body)
        if self.script:
            return self.script.pop(0).response()
        task_id = f"task-{len(self.submissions)}"
        self._jobs[task_id] = list(self.states)
        return JSONResponse(
            {
                "code": 0,
                "message": "SUCCEED",
                "data": {"task_id": task_id, "task_status": "submitted"},
            }
        )

    async def _status(self, task_id: str, request: Request) -> Response:
        if request.headers.get("x-api-key") != self.api_key:
            return JSONResponse({"code": 1000, "message": "Authentication failed"}, 401)
        if self.script:
            return self.script.pop(0).response()
        states = self._jobs[task_id]
        state = states.pop(0) if len(states) > 1 else states[0]
        self.polls.append(state)
        data: dict[str, Any] = {"task_id": task_id, "task_status": state}
        if state == "succeed":
            url = f"{str(request.base_url).rstrip('/')}/cdn/{task_id}.mp4"
            data["task_result"] = {"videos": [{"id": "v1", "url": url, "duration": "5"}]}
        if state == "failed":
            data["task_status_msg"] = self.failure_message
        return JSONResponse({"code": 0, "message": "SUCCEED", "data": data})

    def _download(self, task_id: str) -> Response:
        self.downloads += 1
        return Response(self.clip, media_type="video/mp4")
