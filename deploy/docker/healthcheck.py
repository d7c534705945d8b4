"""The image's HEALTHCHECK: `storyreel serve` must answer on loopback; other roles pass.

One image runs every role (`serve`, `worker -Q ...`, `migrate`); only the API listens, so a
worker or a one-shot migrate reports healthy here and is watched by its own supervisor.
Usage: python healthcheck.py [PATH]   (default /healthz; compose uses /readyz for the API).
Standard library only: the image has no curl.
"""

import os
import sys
import urllib.request
from pathlib import Path


def serving() -> bool:
    """Whether a `storyreel serve` process runs in this container (PID 1 may be an init)."""
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            argv = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        names = [os.path.basename(a.decode(errors="replace")) for a in argv if a]
        if "serve" in names and any(n.startswith("storyreel") for n in names):
            return True
    return False


def main() -> int:
    path = sys.argv[1] if len(sys.argv) > 1 else "/healthz"
    if not serving():
        return 0
    port = os.environ.get("STORYREEL_PORT", "8000")
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=4) as response:
            return 0 if response.status == 200 else 1
    except Exception as exc:  # any failure is "unhealthy"; say why in `docker inspect`
        print(f"{path}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
