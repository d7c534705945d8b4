"""Final Cut Pro 7 XML (``xmeml`` version 4) through the ``otio-fcp-adapter`` plugin: the format
Premiere Pro and DaVinci Resolve both import with transitions and markers intact (their FCPXML
import drops both, so it is not offered)."""

from __future__ import annotations

from pathlib import Path

from storyreel.exports.otio import UrlFor, write_beside_media
from storyreel.exports.package import RenderFiles

ADAPTER = "fcp_xml"

HOW = (
    "Premiere Pro: File > Import, pick the .xml file; if it asks for media, choose Locate and "
    "pick the first picture: the rest are found in the same folders.\n"
    "DaVinci Resolve: import the pictures, voices and music folders into the Media Pool, then "
    "File > Import > Timeline, pick the .xml and untick 'Automatically import source clips'. "
    "See docs/exports.md."
)


def write_fcp7(files: RenderFiles, folder: Path, name: str, url_for: UrlFor | None = None) -> Path:
    """``folder/name.xml`` beside the media."""
    return write_beside_media(files, folder, f"{name}.xml", HOW, adapter=ADAPTER, url_for=url_for)
