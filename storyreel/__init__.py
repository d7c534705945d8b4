"""storyreel: turn a story into a finished, narrated video."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("storyreel")
except PackageNotFoundError:  # running from a source tree without an install
    __version__ = "0.0.0"
