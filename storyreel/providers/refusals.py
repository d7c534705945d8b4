"""Reading a server's refusal: is it the provider's content policy, and which of its words
would mislead a user of another server that copies the vendor's API."""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

#: ``error.code`` values OpenAI-compatible servers give a prompt their safety system refused
#: (OpenAI images: content_policy_violation, gpt-image-1: moderation_blocked, Azure:
#: content_filter).
POLICY_CODES = frozenset({"content_policy_violation", "moderation_blocked", "content_filter"})
#: Words of such refusals from servers that send no code.
_POLICY_WORDS = ("safety system", "content policy", "content_policy", "content management policy")
_URL = re.compile(r"https?://[^\s)\"'<>]+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def is_policy_refusal(status: int, body: str) -> bool:
    """A 400-class answer saying the provider's own policy refused the prompt."""
    if not 400 <= status < 500 or status in (401, 403, 404, 408, 425, 429):
        return False
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    error = data.get("error") if isinstance(data, dict) else None
    if isinstance(error, dict) and str(error.get("code") or "") in POLICY_CODES:
        return True
    text = body.lower()
    return status == 400 and any(words in text for words in _POLICY_WORDS)


def _site(host: str) -> str:
    """The registrable part of a host, near enough: the last two labels (openai.com)."""
    host = host.lower().rstrip(".")
    if ":" in host or host.replace(".", "").isdigit():
        return host  # an address has no parent site
    return ".".join(host.split(".")[-2:])


def without_foreign_links(message: str, base_url: str) -> str:
    """``message`` less the sentences that point at another site than ``base_url``'s: a
    server copying OpenAI's API also copies "You can find your API key at
    https://platform.openai.com/..." — advice that is wrong for that server."""
    own = _site(urlsplit(base_url).hostname or "")
    kept = [
        sentence
        for sentence in _SENTENCE_END.split(message)
        if all(_site(urlsplit(url).hostname or "") == own for url in _URL.findall(sentence))
    ]
    return " ".join(kept).strip()
