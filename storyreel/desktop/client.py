"""The REST API client: one signed-in session on one server, every call typed.

Blocking (httpx) by design: the windows run calls on a thread pool (``jobs.py``), and the tests
and the benchmark use it directly. Like the studio's session (``web/src/auth/session.ts``) it
refreshes the access token shortly before it expires, one refresh at a time, retries a call
once after a 401 with a fresh token, and reports every new refresh token (they rotate) so the
session store can keep the latest.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from storyreel.desktop.errors import ServerUnreachable, SessionExpired, error_from_response
from storyreel.desktop.models import (
    NewProject,
    Project,
    ProjectSummary,
    Render,
    Shot,
    Style,
    Task,
    Tokens,
    User,
    Voice,
)
from storyreel.desktop.urls import normalise_url

API = "/api/v1"
REFRESH_MARGIN_S = 30.0
DOWNLOAD_CHUNK = 256 * 1024

SessionListener = Callable[[Tokens | None], None]
Progress = Callable[[int, int], None]


class ApiClient:
    """A client of one server; sign in with ``login``, ``register`` + ``login``, or ``resume``."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 30.0,
        on_session: SessionListener | None = None,
    ) -> None:
        self.base_url = normalise_url(base_url)
        self._http = httpx.Client(base_url=self.base_url, timeout=timeout)
        self._on_session = on_session
        self._lock = threading.Lock()  # guards the tokens: one refresh at a time
        self._tokens: Tokens | None = None
        self._expires_at = 0.0
        self.user: User | None = None

    # The session -------------------------------------------------------------------------

    @property
    def signed_in(self) -> bool:
        return self._tokens is not None

    @property
    def refresh_token(self) -> str | None:
        return self._tokens.refresh_token if self._tokens else None

    @property
    def ws_url(self) -> str:
        scheme, rest = self.base_url.split("://", 1)
        return f"{'wss' if scheme.lower() == 'https' else 'ws'}://{rest}{API}/ws"

    def _begin(self, tokens: Tokens | None) -> None:
        self._tokens = tokens
        self._expires_at = time.monotonic() + tokens.expires_in if tokens else 0.0
        if tokens is None:
            self.user = None
        if self._on_session is not None:
            self._on_session(tokens)

    def end(self) -> None:
        """Forget the session here (no server call: see ``logout``)."""
        with self._lock:
            self._begin(None)

    def access_token(self) -> str:
        """A valid access token, refreshed first when it is about to expire."""
        with self._lock:
            tokens = self._tokens
            if tokens is None:
                raise SessionExpired(401, "you are not signed in")
            if self._expires_at - time.monotonic() > REFRESH_MARGIN_S:
                return tokens.access_token
            return self._refresh(tokens.refresh_token).access_token

    def _refresh(self, refresh_token: str) -> Tokens:
        answer = self._send("POST", f"{API}/auth/refresh", json={"refresh_token": refresh_token})
        if answer.status_code == 401:
            self._begin(None)
        self._raise_for(answer)
        tokens = Tokens.from_json(answer.json())
        self._begin(tokens)
        return tokens

    def resume(self, refresh_token: str) -> User:
        """Sign in again with a remembered refresh token; SessionExpired when it is no good."""
        with self._lock:
            self._refresh(refresh_token)
        return self.me()

    def register(self, email: str, password: str, display_name: str = "") -> User:
        body = {"email": email, "password": password, "display_name": display_name}
        return User.from_json(self._call("POST", "/auth/register", json=body, auth=False))

    def login(self, email: str, password: str) -> User:
        body = {"email": email, "password": password}
        tokens = Tokens.from_json(self._call("POST", "/auth/login", json=body, auth=False))
        with self._lock:
            self._begin(tokens)
        return self.me()

    def logout(self) -> None:
        """Revoke the refresh token on the server, then forget the session."""
        refresh = self.refresh_token
        try:
            if refresh is not None:
                self._call("POST", "/auth/logout", json={"refresh_token": refresh})
        finally:
            self.end()

    def me(self) -> User:
        self.user = User.from_json(self._call("GET", "/auth/me"))
        return self.user

    # Projects, shots, renders --------------------------------------------------------------

    def projects(self, page_size: int = 100) -> list[ProjectSummary]:
        page = self._call("GET", "/projects", params={"page_size": page_size})
        return [ProjectSummary.from_json(p) for p in page["items"]]

    def project(self, project_id: str) -> Project:
        return Project.from_json(self._call("GET", f"/projects/{project_id}"))

    def create_project(self, new: NewProject) -> Project:
        """From pasted text (JSON) or a document (multipart upload), with an Idempotency-Key
        so a retried request cannot make the project twice."""
        headers = {"Idempotency-Key": uuid.uuid4().hex}
        if new.document is not None:
            form = {k: str(v) for k, v in new.fields().items()}
            # Bytes, not a file handle: the call may be sent twice (after a token refresh).
            files = {"file": (new.document.name, new.document.read_bytes())}
            data = self._call("POST", "/projects/upload", data=form, files=files, headers=headers)
        else:
            body = {"story": new.story, **new.fields()}
            data = self._call("POST", "/projects", json=body, headers=headers)
        return Project.from_json(data)

    def update_shot(
        self,
        project_id: str,
        shot_id: str,
        *,
        narration: str | None = None,
        visual_prompt: str | None = None,
    ) -> Shot:
        patch: dict[str, Any] = {}
        if narration is not None:
            patch["narration"] = narration
        if visual_prompt is not None:
            patch["visual_prompt"] = visual_prompt
        path = f"/projects/{project_id}/shots/{shot_id}"
        return Shot.from_json(self._call("PATCH", path, json=patch))

    def remake(self, project_id: str, shot_id: str, what: str) -> Task:
        """Make the shot's ``image`` or ``voice`` again (a new task)."""
        if what not in ("image", "voice"):
            raise ValueError(f"cannot re-make {what!r}")
        path = f"/projects/{project_id}/shots/{shot_id}/{what}"
        return Task.from_json(self._call("POST", path, json={}))

    def render(self, project_id: str, quality: str) -> Task:
        body = {"quality": quality}
        headers = {"Idempotency-Key": uuid.uuid4().hex}
        path = f"/projects/{project_id}/render"
        return Task.from_json(self._call("POST", path, json=body, headers=headers))

    def renders(self, project_id: str) -> list[Render]:
        page = self._call("GET", f"/projects/{project_id}/renders")
        return [Render.from_json(r) for r in page["items"]]

    def styles(self) -> list[Style]:
        return [Style.from_json(s) for s in self._call("GET", "/styles")]

    def voices(self) -> list[Voice]:
        return [Voice.from_json(v) for v in self._call("GET", "/voices")["voices"]]

    # Files ------------------------------------------------------------------------------

    def absolute(self, url: str) -> str:
        """A signed asset link (relative to the server) as a full URL, e.g. for the player."""
        return url if "://" in url else f"{self.base_url}{url}"

    def _same_server(self, url: str) -> dict[str, str]:
        """The bearer token for a link on this server (a voice sample needs it; signed links
        do not mind it); none for another host, such as an object store's own link."""
        if "://" in url or not self.signed_in:
            return {}
        return {"Authorization": f"Bearer {self.access_token()}"}

    def fetch(self, url: str) -> bytes:
        """A small file (a poster, a picture, subtitles) by its link."""
        answer = self._send("GET", url, headers=self._same_server(url))
        self._raise_for(answer)
        return answer.content

    def download(
        self,
        url: str,
        folder: Path,
        name: str,
        progress: Progress | None = None,
        cancelled: Callable[[], bool] = lambda: False,
    ) -> Path:
        """Stream a file into ``folder/name`` (written to a temporary name, then renamed, so a
        failed download leaves no partial file); ``progress(done, total)`` as it goes."""
        target = folder / name
        partial = folder / f".{name}.part"
        try:
            with self._http.stream("GET", url, headers=self._same_server(url)) as answer:
                if answer.is_error:
                    answer.read()
                    self._raise_for(answer)
                total = int(answer.headers.get("content-length") or 0)
                done = 0
                with partial.open("wb") as out:
                    for chunk in answer.iter_bytes(DOWNLOAD_CHUNK):
                        if cancelled():
                            raise InterruptedError("download cancelled")
                        out.write(chunk)
                        done += len(chunk)
                        if progress is not None:
                            progress(done, total)
            partial.replace(target)
        except httpx.TransportError as exc:
            raise ServerUnreachable(self.base_url, str(exc)) from exc
        finally:
            partial.unlink(missing_ok=True)
        return target

    def ready(self) -> bool:
        """Whether a storyreel server answers ``/readyz`` here."""
        try:
            return self._http.get("/readyz", timeout=2.0).status_code == 200
        except httpx.HTTPError:
            return False

    def close(self) -> None:
        self._http.close()

    # Plumbing ---------------------------------------------------------------------------

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            return self._http.request(method, path, **kwargs)
        except httpx.TransportError as exc:
            raise ServerUnreachable(self.base_url, str(exc)) from exc

    @staticmethod
    def _raise_for(answer: httpx.Response) -> None:
        if answer.is_error:
            raise error_from_response(answer.status_code, answer.text, answer.reason_phrase)

    def _call(self, method: str, path: str, *, auth: bool = True, **kwargs: Any) -> Any:
        """Call ``/api/v1{path}`` and return its JSON; after a 401 refresh once and retry."""
        headers = dict(kwargs.pop("headers", None) or {})
        if auth:
            headers["Authorization"] = f"Bearer {self.access_token()}"
        answer = self._send(method, f"{API}{path}", headers=headers, **kwargs)
        if answer.status_code == 401 and auth and self._tokens is not None:
            # Revoked or expired early (clock skew, a restart with a new secret): one refresh.
            with self._lock:
                if self._tokens is not None:
                    self._refresh(self._tokens.refresh_token)
            headers["Authorization"] = f"Bearer {self.access_token()}"
            answer = self._send(method, f"{API}{path}", headers=headers, **kwargs)
        self._raise_for(answer)
        return answer.json() if answer.content else None
