"""`storyreel openapi` writes the document the studio's client is generated from, without a
database or a running server, and without touching the user's data directory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

EXE = str(Path(sys.executable).with_name("storyreel"))


def test_openapi_command_writes_the_spec_without_touching_the_data_dir(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("STORYREEL_")}
    env["STORYREEL_DATA_DIR"] = str(data)
    out = tmp_path / "openapi.json"
    result = subprocess.run(
        [EXE, "openapi", "-o", str(out)], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    spec = json.loads(out.read_text())
    ops = {op["operationId"] for path in spec["paths"].values() for op in path.values()}
    assert {"login", "create_project", "get_project", "render_project"} <= ops
    # Sorted keys: the committed copy diffs cleanly and regenerating it is deterministic.
    assert out.read_text() == json.dumps(spec, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert not data.exists()
