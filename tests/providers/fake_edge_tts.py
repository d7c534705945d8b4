"""A fake of Microsoft Edge's read-aloud WebSocket service — what the edge-tts package talks to —
served by aiohttp on loopback in a thread, speaking the real protocol:

- the client connects to ``/consumer/speech/synthesize/readaloud/edge/v1`` with the query
  ``TrustedClientToken``, ``ConnectionId``, ``Sec-MS-GEC`` and ``Sec-MS-GEC-Version``;
- it sends two text frames, each "headers CRLF CRLF body": ``Path:speech.config`` (JSON:
  output format, word/sentence boundaries wanted) and ``Path:ssml`` (the SSML: voice, prosody
  rate and pitch, the escaped text);
- the service answers with text frames ``Path:turn.start`` and ``Path:response``, then per word
  a text frame ``Path:audio.metadata`` (``{"Metadata": [{"Type": "WordBoundary", "Data":
  {"Offset", "Duration", "text": {"Text", "Length", "BoundaryType"}}}]}``, offsets and durations
  in 100-ns ticks) and binary frames (2-byte big-endian header length, headers ending in CRLF,
  then MP3 bytes) with ``Path:audio`` and ``Content-Type:audio/mpeg``, a last binary
  ``Path:audio`` frame without Content-Type or data, and the text frame ``Path:turn.end``.

The audio is a real MP3 (24 kHz mono, 48 kbit/s CBR, as the service sends), a tone made with
FFmpeg, as long as the words need. The fake records what it was sent and can be told to close
without audio, stall, cut the stream, or refuse the handshake.
"""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import threading
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal, Self

from aiohttp import WSMsgType, web

from storyreel.media.ffmpeg import find_ffmpeg

PATH = "/consumer/speech/synthesize/readaloud/edge/v1"
TICKS = 10_000_000
WORD_STEP_S = 0.3  # a word starts every 0.3 s ...
WORD_S = 0.25  # ... and lasts 0.25 s
LEAD_S = 0.15  # the first word starts after a short silence
CHUNK = 2048  # bytes of MP3 per binary frame
_TOKEN = re.compile(r"[\u4e00-\u9fff]{1,2}|[A-Za-z0-9'’-]+|[，。！？,.!?]")

Mode = Literal["speak", "silent", "stall", "cut", "refuse"]


@lru_cache(maxsize=16)
def tone_mp3(seconds: float) -> bytes:
    """A 220 Hz tone as bare MP3 frames (no ID3 tag, no Xing header), like the service's."""
    argv = [
        find_ffmpeg(),
        "-hide_banner",
        "-loglevel",
        "error",
        "-f",
        "lavfi",
        "-i",
        f"sine=frequency=220:duration={seconds:.3f}:sample_rate=24000",
        "-ac",
        "1",
        "-c:a",
        "libmp3lame",
        "-b:a",
        "48k",
        "-write_xing",
        "0",
        "-id3v2_version",
        "0",
        "-f",
        "mp3",
        "pipe:1",
    ]
    return subprocess.run(argv, check=True, capture_output=True, timeout=30).stdout


@dataclass(frozen=True)
class Boundary:
    text: str
    offset: int  # ticks
    duration: int

    @property
    def start_s(self) -> float:
        return self.offset / TICKS

    @property
    def end_s(self) -> float:
        return (self.offset + self.duration) / TICKS


@dataclass
class EdgeRequest:
    """One synthesis as the fake received it."""

    query: dict[str, str]
    headers: dict[str, str]
    config: dict[str, object]
    ssml: str
    voice: str
    rate: str
    pitch: str
    text: str
    boundaries: list[Boundary] = field(default_factory=list)  # what was sent back
    mp3_seconds: float = 0.0


def _frame(text: str) -> tuple[dict[str, str], str]:
    """A text frame's headers and body."""
    head, _, body = text.partition("\r\n\r\n")
    headers = dict(line.split(":", 1) for line in head.split("\r\n") if ":" in line)
    return headers, body


def _text_frame(request_id: str, path: str, body: str) -> str:
    return (
        f"X-RequestId:{request_id}\r\nContent-Type:application/json; charset=utf-8\r\n"
        f"Path:{path}\r\n\r\n{body}"
    )


def _audio_frame(request_id: str, stream_id: str, payload: bytes) -> bytes:
    content_type = "Content-Type:audio/mpeg\r\n" if payload else ""
    head = f"X-RequestId:{request_id}\r\n{content_type}X-StreamId:{stream_id}\r\nPath:audio\r\n"
    raw = head.encode()
    return len(raw).to_bytes(2, "big") + raw + payload


def _metadata_frame(request_id: str, b: Boundary) -> str:
    kind = "WordBoundary" if b.duration else "PunctuationBoundary"
    text = {"Text": b.text, "Length": len(b.text), "BoundaryType": kind}
    data = {"Offset": b.offset, "Duration": b.duration, "text": text}
    body = json.dumps({"Metadata": [{"Type": "WordBoundary", "Data": data}]})
    return _text_frame(request_id, "audio.metadata", body)


def boundaries_for(text: str) -> list[Boundary]:
    """Where the fake says each word is: words (Han characters in pairs, as a segmenter cuts
    them) one every WORD_STEP_S; a punctuation mark gets a boundary of its own, as a check
    that the provider drops it."""
    out: list[Boundary] = []
    at = LEAD_S
    for token in _TOKEN.findall(text):
        if token[0].isalnum():
            out.append(Boundary(token, round(at * TICKS), round(WORD_S * TICKS)))
            at += WORD_STEP_S
        else:
            out.append(Boundary(token, round((at - 0.05) * TICKS), 0))
    return out


class FakeEdgeTts:
    """Edge's read-aloud WebSocket on a free loopback port; ``url`` is what the provider's
    ``endpoint`` setting takes."""

    def __init__(self, mode: Mode = "speak", punctuation: bool = True) -> None:
        self.mode: Mode = mode
        self.punctuation = punctuation
        self.requests: list[EdgeRequest] = []
        self.connections = 0
        self.url = ""
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner: web.AppRunner | None = None

    def __enter__(self) -> Self:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(timeout=10)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    async def _start(self) -> None:
        app = web.Application()
        app.router.add_get(PATH, self._speak)
        self._runner = web.AppRunner(app, shutdown_timeout=1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"ws://127.0.0.1:{port}{PATH}"

    async def _speak(self, request: web.Request) -> web.StreamResponse:
        self.connections += 1
        if self.mode == "refuse":
            return web.Response(status=403, text="Forbidden")
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        config: dict[str, object] = {}
        ssml = ""
        async for message in ws:  # speech.config, then ssml
            if message.type != WSMsgType.TEXT:
                continue
            headers, body = _frame(message.data)
            if headers.get("Path") == "speech.config":
                config = json.loads(body)
            elif headers.get("Path") == "ssml":
                ssml = body
                break
        received = self._parse(request, config, ssml)
        self.requests.append(received)
        request_id = uuid.uuid4().hex
        await ws.send_str(_text_frame(request_id, "turn.start", '{"context":{"serviceTag":"x"}}'))
        if self.mode == "silent":
            await ws.close()
            return ws
        if self.mode == "stall":
            async for _ in ws:  # until the client gives up
                pass
            return ws
        stream_id = uuid.uuid4().hex.upper()
        await ws.send_str(
            _text_frame(
                request_id,
                "response",
                json.dumps({"context": {"serviceTag": "x"}, "audio": {"type": "inline"}}),
            )
        )
        words = [b for b in boundaries_for(received.text) if b.duration]
        received.mp3_seconds = round(LEAD_S + WORD_STEP_S * len(words) + 0.3, 3)
        received.boundaries = [
            b for b in boundaries_for(received.text) if b.duration or self.punctuation
        ]
        mp3 = tone_mp3(received.mp3_seconds)
        if self.mode == "cut":
            mp3 = mp3[: len(mp3) // 4]
        # Each word's boundary comes just before the audio that holds it, as the service does.
        pending = list(received.boundaries)
        for i in range(0, len(mp3), CHUNK):
            chunk_end = (i + CHUNK) * 8 / 48_000 * TICKS
            while pending and pending[0].offset < chunk_end:
                await ws.send_str(_metadata_frame(request_id, pending.pop(0)))
            await ws.send_bytes(_audio_frame(request_id, stream_id, mp3[i : i + CHUNK]))
        for b in pending:
            await ws.send_str(_metadata_frame(request_id, b))
        if self.mode == "cut":
            await ws.close()
            return ws
        await ws.send_bytes(_audio_frame(request_id, stream_id, b""))
        await ws.send_str(_text_frame(request_id, "turn.end", "{}"))
        await ws.close()
        return ws

    @staticmethod
    def _parse(request: web.Request, config: dict[str, object], ssml: str) -> EdgeRequest:
        ns = "{http://www.w3.org/2001/10/synthesis}"
        root = ET.fromstring(ssml)
        voice = root.find(f"{ns}voice")
        prosody = root.find(f".//{ns}prosody")
        assert voice is not None and prosody is not None, ssml
        return EdgeRequest(
            query=dict(request.query),
            headers=dict(request.headers),
            config=config,
            ssml=ssml,
            voice=voice.get("name", ""),
            rate=prosody.get("rate", ""),
            pitch=prosody.get("pitch", ""),
            text=prosody.text or "",
        )
