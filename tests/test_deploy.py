"""The deployment artefacts (Dockerfile, compose.yaml, the Helm chart), checked offline by
scripts/check-deploy; and that the checks fail on broken artefacts."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import shutil
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "check-deploy"
CHART = ROOT / "deploy" / "helm" / "storyreel"

TOOLS = {
    "yamllint": "yamllint",
    "helm_python": "helm-python-sdk",
    "kubernetes_validate": "kubernetes-validate",
    "check_jsonschema": "check-jsonschema",
}
_missing = [pkg for mod, pkg in TOOLS.items() if importlib.util.find_spec(mod) is None]
pytestmark = pytest.mark.skipif(
    bool(_missing),
    reason=f"deployment check tools not installed: {', '.join(_missing)} (the dev extra)",
)


def check_deploy(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "STORYREEL_CHECK_DEPLOY_NO_REEXEC": "1"}
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=240,
    )


def load_script() -> types.ModuleType:
    os.environ.setdefault("STORYREEL_CHECK_DEPLOY_NO_REEXEC", "1")
    loader = importlib.machinery.SourceFileLoader("check_deploy", str(SCRIPT))
    spec = importlib.util.spec_from_loader("check_deploy", loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def test_the_artefacts_pass_every_check() -> None:
    result = check_deploy()
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "all deployment checks passed" in out
    # The KEDA kinds are skipped by kubernetes-validate, and the output says so.
    assert "skipped by kubernetes-validate" in out and "ScaledObject" in out
    assert "compose-spec schema" in out and "valid" in out


def write_values(tmp_path: Path, values: dict[str, Any]) -> Path:
    path = tmp_path / "values.yaml"
    path.write_text(yaml.safe_dump(values))
    return path


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        # A queue that is not a resource class: the chart refuses to render.
        ({"workers": {"cpu": {"queues": ["cpu", "io", "llm", "gpuu"]}}}, 'unknown queue "gpuu"'),
        # No group serves the gpu queue: image and motion tasks would wait forever.
        ({"workers": {"gpu": {"enabled": False}}}, 'serves the "gpu" queue'),
        # A field Kubernetes does not know: kubernetes-validate --strict rejects it.
        (
            {"api": {"readinessProbe": {"httpGet": {"path": "/readyz", "port": "http"}, "x": 1}}},
            "'x' was unexpected",
        ),
        # A probe on the wrong path: the chart rules catch it.
        (
            {"api": {"livenessProbe": {"httpGet": {"path": "/", "port": "http"}}}},
            "livenessProbe path is '/'",
        ),
        # A worker group name that is no DNS label.
        ({"workers": {"Big_GPU": {"enabled": True, "queues": ["gpu"]}}}, "must be a DNS label"),
    ],
)
def test_a_broken_chart_values_file_fails(
    tmp_path: Path, values: dict[str, Any], expected: str
) -> None:
    result = check_deploy("--only", "chart", "--values", str(write_values(tmp_path, values)))
    assert result.returncode == 1, result.stdout + result.stderr
    assert expected in result.stderr


def broken_compose(tmp_path: Path, change: Any) -> Path:
    data = yaml.safe_load((ROOT / "compose.yaml").read_text())  # merge keys resolved
    change(data)
    path = tmp_path / "compose.yaml"
    path.write_text("---\n" + yaml.safe_dump(data, sort_keys=False, width=200))
    return path


def _unknown_dependency(d: dict[str, Any]) -> None:
    d["services"]["api"]["depends_on"]["rabbitmq"] = {"condition": "service_started"}


def _literal_secret(d: dict[str, Any]) -> None:
    d["services"]["api"]["environment"]["STORYREEL_JWT_SECRET"] = "hunter2-hunter2"


def _not_in_the_spec(d: dict[str, Any]) -> None:
    d["services"]["api"]["restart_policy"] = "always"


def _gpu_worker_without_gpu(d: dict[str, Any]) -> None:
    del d["services"]["worker-gpu"]["deploy"]


def _dependency_outside_profile(d: dict[str, Any]) -> None:
    d["services"]["storyreel"]["depends_on"] = {"postgres": {"condition": "service_healthy"}}


def _api_not_gated_by_migrate(d: dict[str, Any]) -> None:
    del d["services"]["api"]["depends_on"]["migrate"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (_unknown_dependency, "depends_on names 'rabbitmq', which is not a service"),
        (_literal_secret, "STORYREEL_JWT_SECRET has a literal value"),
        (_not_in_the_spec, "'restart_policy' was unexpected"),
        (_gpu_worker_without_gpu, "serves the gpu queue without an NVIDIA reservation"),
        (_dependency_outside_profile, "which is not in profile(s) ['embedded']"),
        (_api_not_gated_by_migrate, "does not wait for 'migrate'"),
    ],
)
def test_a_broken_compose_file_fails(tmp_path: Path, change: Any, expected: str) -> None:
    result = check_deploy("--only", "compose", "--compose", str(broken_compose(tmp_path, change)))
    assert result.returncode == 1, result.stdout + result.stderr
    assert expected in result.stderr


def test_a_broken_dockerfile_fails(tmp_path: Path) -> None:
    for name in ("Dockerfile", ".dockerignore", "pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, tmp_path / name)
    for name in ("storyreel", "web", "deploy"):
        (tmp_path / name).symlink_to(ROOT / name)
    dockerfile = tmp_path / "Dockerfile"
    assert check_deploy("--only", "dockerfile", "--root", str(tmp_path)).returncode == 0

    text = (ROOT / "Dockerfile").read_text()
    dockerfile.write_text(text.replace("USER 10001:10001", "USER root"))
    result = check_deploy("--only", "dockerfile", "--root", str(tmp_path))
    assert result.returncode == 1 and "non-root USER" in result.stderr

    dockerfile.write_text(text.replace("COPY deploy/docker/", "COPY deploy/dockerx/"))
    result = check_deploy("--only", "dockerfile", "--root", str(tmp_path))
    assert result.returncode == 1 and "no such path" in result.stderr

    (tmp_path / ".dockerignore").write_text("web/node_modules\n.git\n")
    dockerfile.write_text(text)
    result = check_deploy("--only", "dockerfile", "--root", str(tmp_path))
    assert result.returncode == 1 and ".venv is not excluded" in result.stderr


def test_keda_watches_the_lists_celery_writes() -> None:
    """The ScaledObjects name the Redis lists kombu keeps per queue and priority step."""
    from kombu.transport.redis import Channel

    from storyreel.tasks.executors.celery import BROKER_PRIORITY_STEPS
    from storyreel.tasks.model import RESOURCES

    script = load_script()
    values = yaml.safe_load((CHART / "ci" / "full-values.yaml").read_text())
    rendered, merged = script.render(CHART, values)
    assert merged["keda"]["prioritySteps"] == list(BROKER_PRIORITY_STEPS)
    assert set(script.QUEUES) == set(RESOURCES)

    channel = types.SimpleNamespace(sep=Channel.sep, priority=lambda n: n)
    objs = [o for _, _, o in script.manifests(rendered) if o["kind"] == "ScaledObject"]
    assert objs
    for obj in objs:
        group = obj["metadata"]["labels"]["storyreel.io/worker-group"]
        queues = merged["workers"][group]["queues"]
        expected = {
            Channel._q_for_pri(channel, q, step) for q in queues for step in BROKER_PRIORITY_STEPS
        }
        assert {t["metadata"]["listName"] for t in obj["spec"]["triggers"]} == expected


def test_the_image_healthcheck_asks_only_a_serving_container(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Workers and migrate share the image's HEALTHCHECK: only `serve` is asked over HTTP."""
    import http.server
    import threading

    loader = importlib.machinery.SourceFileLoader(
        "healthcheck", str(ROOT / "deploy" / "docker" / "healthcheck.py")
    )
    health = types.ModuleType("healthcheck")
    loader.exec_module(health)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200 if self.path == "/healthz" else 503)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("STORYREEL_PORT", str(server.server_address[1]))
        monkeypatch.setattr(health, "serving", lambda: False)
        monkeypatch.setattr(sys, "argv", ["healthcheck.py", "/readyz"])
        assert health.main() == 0  # a worker: healthy without asking
        monkeypatch.setattr(health, "serving", lambda: True)
        assert health.main() == 1  # the API answers 503 on /readyz
        monkeypatch.setattr(sys, "argv", ["healthcheck.py", "/healthz"])
        assert health.main() == 0
        monkeypatch.setenv("STORYREEL_PORT", "1")  # nothing listens: unhealthy
        assert health.main() == 1
    finally:
        server.shutdown()
