"""Moving clips from a hosted image-to-video API that works by jobs: submit the picture, poll
the job until it is done, download the MP4.

Such APIs agree on the shape and differ in names, so every name is a setting: the submit
endpoint and method, the request fields (dotted paths like ``input.image``) for the picture
(a data URL or bare base64), prompt, duration, seed and model, where the answer puts the job
id, the status endpoint (``/v1/jobs/{id}``), where its answer puts the state and which values
mean done or failed, and where a finished job puts the video's URL.

A job that fails or runs out of time raises ``ProviderError`` saying so; falling back to the
Ken Burns move is the provider router's decision, not this provider's.
"""

from __future__ import annotations

import base64
import math
import tempfile
import time
from pathlib import Path
from typing import Any, ClassVar

from storyreel.media.probe import ProbeError, probe
from storyreel.providers.base import (
    Health,
    MotionGenerator,
    MotionResult,
    MotionSpec,
    ProviderError,
    ProviderNotConfigured,
    Usage,
)
from storyreel.providers.http import HttpService
from storyreel.providers.motion.settings import HTTP_MOTION, HttpMotionSettings
from storyreel.providers.remote import (
    Connection,
    Downloader,
    Transport,
    path_get,
    path_set,
    poll,
    priced,
    service_health,
)
from storyreel.settings import Settings

_SETTING = HTTP_MOTION.env_prefix

# The camera move the storyboard asked for, in words a video model follows.
CAMERA_WORDS = {
    "zoom_in": "slow push in",
    "zoom_out": "slow pull back",
    "pan_left": "camera pans slowly left",
    "pan_right": "camera pans slowly right",
    "pan_up": "camera tilts slowly up",
    "pan_down": "camera tilts slowly down",
}
# When it asked for none: a move that suits the framing.
FRAMING_WORDS = {
    "wide": "slow drift across the scene",
    "medium": "subtle camera movement",
    "close_up": "gentle, almost still camera",
}


def _png_or_jpeg(image: bytes) -> str:
    return "image/jpeg" if image[:3] == b"\xff\xd8\xff" else "image/png"


class HttpVideoMotion(MotionGenerator):
    """An image-to-video clip per shot from a job-based HTTP API."""

    name: ClassVar[str] = "http"
    section = HTTP_MOTION
    quality: ClassVar[int] = 5
    speed: ClassVar[int] = 1
    # Clips are paid for: the same picture and spec reuse the clip already made.
    deterministic: ClassVar[bool] = True

    def __init__(self, settings: Settings, transport: Transport | None = None) -> None:
        super().__init__(settings)
        self.config: HttpMotionSettings = settings.http_motion
        self._transport = transport or Transport()
        self._connection = Connection(self._connect)

    @property
    def model(self) -> str:
        return self.config.model or f"http-video:{self.config.base_url}"

    def health(self) -> Health:
        return service_health(lambda: self._http()[0], "")

    def prices(self) -> dict[str, float]:
        return {"video_seconds": self.config.price_per_second}

    def check(self) -> None:
        c = self.config
        if c.base_url is None:
            raise ProviderNotConfigured(
                self.name, f"{_SETTING}BASE_URL", "no image-to-video API is set"
            )
        if "{id}" not in c.status_path:
            raise ProviderNotConfigured(
                self.name, f"{_SETTING}STATUS_PATH", f"{c.status_path!r} has no {{id}} in it"
            )
        for setting, value in (
            ("IMAGE_FIELD", c.image_field),
            ("JOB_ID_PATH", c.job_id_path),
            ("STATUS_FIELD", c.status_field),
            ("RESULT_URL_FIELD", c.result_url_field),
        ):
            if not value.strip():
                raise ProviderNotConfigured(self.name, f"{_SETTING}{setting}", "it is empty")
        if not c.done_values:
            raise ProviderNotConfigured(self.name, f"{_SETTING}DONE_VALUES", "it is empty")

    def _http(self) -> tuple[HttpService, Downloader]:
        return self._connection.get()

    def _connect(self) -> tuple[HttpService, Downloader]:
        self.check()
        c = self.config
        assert c.base_url is not None
        headers = {}
        if c.api_key is not None:
            headers[c.auth_header] = f"{c.auth_prefix}{c.api_key.get_secret_value()}"
        service = self._transport.service(
            f"image-to-video at {c.base_url}",
            c.base_url,
            timeout_s=c.timeout_s,
            headers=headers,
            auth_hint=self.key_advice(),
        )
        return service, Downloader(service, self._transport)

    def duration(self, seconds: float) -> float:
        """The length asked for: the accepted one nearest the shot's, or the shot's own."""
        if self.config.durations:
            return min(self.config.durations, key=lambda d: (abs(d - seconds), -d))
        return round(seconds, 1)

    def prompt(self, spec: MotionSpec) -> str:
        camera = CAMERA_WORDS.get(spec.preferred or "") or FRAMING_WORDS.get(
            spec.shot_type, FRAMING_WORDS["medium"]
        )
        subject = spec.prompt.strip().rstrip(".。")
        return self.config.prompt_template.format(
            prompt=f"{subject}, " if subject else "", camera=camera, shot_type=spec.shot_type
        ).strip()

    def request_body(self, image: bytes, spec: MotionSpec) -> dict[str, Any]:
        c = self.config
        encoded = base64.b64encode(image).decode("ascii")
        if c.image_encoding == "data_url":
            encoded = f"data:{_png_or_jpeg(image)};base64,{encoded}"
        body: dict[str, Any] = {}
        for path, value in c.extra_body.items():
            path_set(body, path, value)
        if c.model and c.model_field:
            path_set(body, c.model_field, c.model)
        path_set(body, c.image_field, encoded)
        if c.prompt_field:
            path_set(body, c.prompt_field, self.prompt(spec))
        if c.duration_field:
            seconds = self.duration(spec.seconds)
            path_set(body, c.duration_field, int(seconds) if seconds.is_integer() else seconds)
        if c.seed_field:
            path_set(body, c.seed_field, spec.seed)
        return body

    def animate(self, image: bytes, spec: MotionSpec) -> MotionResult:
        began = time.perf_counter()
        service, downloader = self._http()
        c = self.config
        body = self.request_body(image, spec)
        submitted = service.json(c.submit_method, c.submit_path, json=body)
        job = path_get(submitted, c.job_id_path)
        if job is None or isinstance(job, dict | list) or str(job) == "":
            raise ProviderError(
                f"{service.name}: the submit answer has no job id at {c.job_id_path!r} "
                f"({_SETTING}JOB_ID_PATH): {str(submitted)[:300]}",
                retryable=True,
            )
        job_id = str(job)
        # Some APIs answer a submit with the finished job: no need to ask again.
        finished = self._finished(submitted, job_id, service)
        if finished is None:
            finished = self._wait(service, job_id)
        url = path_get(finished, c.result_url_field)
        if not isinstance(url, str) or not url:
            raise ProviderError(
                f"{service.name}: job {job_id} finished without a video URL at "
                f"{c.result_url_field!r} ({_SETTING}RESULT_URL_FIELD): {str(finished)[:300]}",
                retryable=True,
            )
        clip = downloader.get(url, f"the clip of job {job_id}")
        clip_seconds = _clip_seconds(clip, service.name, job_id)
        billed = self.duration(spec.seconds) if c.duration_field else clip_seconds
        return MotionResult(
            usage=Usage(
                provider=self.name,
                model=c.model or self.name,
                seconds=time.perf_counter() - began,
                units=priced({"video_seconds": clip_seconds}, billed, c.price_per_second),
            ),
            clip=clip,
        )

    def _finished(self, answer: Any, job_id: str, service: HttpService) -> Any | None:
        """``answer`` if its job is done, None if it is still going; raises if it failed."""
        c = self.config
        state = str(path_get(answer, c.status_field) or "").strip().lower()
        if state in {v.lower() for v in c.failed_values}:
            why = path_get(answer, c.error_field)
            if isinstance(why, dict):
                why = why.get("message") or why.get("detail") or why
            raise ProviderError(
                f"{service.name}: job {job_id} {state}: {why or 'no reason given'}"[:1000]
            )
        if state in {v.lower() for v in c.done_values}:
            return answer
        return None

    def _wait(self, service: HttpService, job_id: str) -> Any:
        c = self.config
        path = c.status_path.replace("{id}", job_id)
        seen = {"state": "submitted"}

        def check() -> Any | None:
            answer = service.json("GET", path)
            seen["state"] = str(path_get(answer, c.status_field) or "unknown")
            return self._finished(answer, job_id, service)

        def timed_out(waited: float) -> ProviderError:
            return ProviderError(
                f"{service.name}: job {job_id} was still {seen['state']!r} after {waited:.0f} s "
                f"({_SETTING}TIME_LIMIT_S is {c.time_limit_s:g})",
                retryable=True,
            )

        return poll(
            check,
            interval_s=c.poll_interval_s,
            limit_s=c.time_limit_s,
            transport=self._transport,
            on_timeout=timed_out,
        )

    def close(self) -> None:
        self._connection.close()


def _clip_seconds(clip: bytes, service: str, job_id: str) -> float:
    """The clip's length, read from the file: what came back must be a playable video."""
    with tempfile.TemporaryDirectory(prefix="storyreel-clip-") as folder:
        path = Path(folder) / "clip.mp4"
        path.write_bytes(clip)
        try:
            info = probe(path)
        except ProbeError as exc:
            raise ProviderError(
                f"{service}: the result of job {job_id} is not a video ({exc})", retryable=True
            ) from exc
    if info.video is None or info.duration is None or not math.isfinite(info.duration):
        raise ProviderError(f"{service}: the result of job {job_id} has no video track")
    return float(info.duration)
