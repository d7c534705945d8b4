"""Server addresses and download names: plain string work, kept out of the HTTP client so the
first window does not wait for httpx to load."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit


def normalise_url(url: str) -> str:
    """``host:port`` or a full URL, without a trailing slash; http:// when no scheme is given."""
    url = url.strip().rstrip("/")
    if not re.match(r"^https?://", url, re.IGNORECASE):
        url = f"http://{url}"
    return url


def file_name(url: str, fallback: str) -> str:
    """The download name a signed link carries (``…&name=最后的灯光.mp4``), made safe for a
    file system, else ``fallback``."""
    names = parse_qs(urlsplit(url).query).get("name")
    name = names[0] if names else fallback
    name = re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", name).strip(". ") or fallback
    return name[:200]
