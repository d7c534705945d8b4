"""The provider router: layered routes, strategies, failover with reasons, the circuit breaker,
per-provider concurrency and rate limits, and the Ken Burns fallback for motion."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

from storyreel.domain.storyboard import Shot, Storyboard
from storyreel.pipeline import steps
from storyreel.pipeline.context import PipelineContext
from storyreel.providers.base import (
    ImageGenerator,
    ImageResult,
    ImageSpec,
    MotionSpec,
    Provider,
    ProviderError,
    ProviderNotConfigured,
    Usage,
)
from storyreel.providers.image.openai_images import OpenAIImages
from storyreel.providers.registry import ProviderRegistry
from storyreel.providers.router import (
    NoProviderAvailable,
    ProviderRouter,
    Route,
    layered_route,
)
from storyreel.settings import Settings
from tests.providers.fake_media_servers import FakeClock, FakeImageAPI, Scripted, fast_transport

# --- fakes ----------------------------------------------------------------------------------


class Behaviour:
    """What each fake provider does when called, set per test."""

    def __init__(self) -> None:
        self.plan: dict[str, list[Callable[[], None]]] = {}
        self.calls: list[str] = []

    def __call__(self, name: str) -> None:
        self.calls.append(name)
        steps_ = self.plan.get(name) or []
        if steps_:
            steps_.pop(0)()


BEHAVIOUR = Behaviour()


def fail(retryable: bool = True) -> Callable[[], None]:
    def go() -> None:
        raise ProviderError(
            "HTTP 503: overloaded" if retryable else "prompt refused", retryable=retryable
        )

    return go


def _image_provider(
    provider_name: str, *, price: float = 0.0, q: int = 3, s: int = 3
) -> type[ImageGenerator]:
    class Fake(ImageGenerator):
        name: ClassVar[str] = provider_name
        quality: ClassVar[int] = q
        speed: ClassVar[int] = s

        def prices(self) -> dict[str, float]:
            return {"images": price} if price else {}

        def generate(self, prompt: str, spec: ImageSpec) -> ImageResult:
            BEHAVIOUR(self.name)
            units = {"images": 1.0}
            return ImageResult(
                b"png:" + self.name.encode(), spec.seed, Usage(self.name, "m", 0.1, units)
            )

    Fake.__name__ = f"Fake_{provider_name}"
    return Fake


class Unconfigured(ImageGenerator):
    name: ClassVar[str] = "needs_key"

    def check(self) -> None:
        raise ProviderNotConfigured(self.name, "STORYREEL_NEEDS_KEY__API_KEY", "no key")

    def generate(self, prompt: str, spec: ImageSpec) -> ImageResult:  # pragma: no cover
        raise AssertionError("never called")


@pytest.fixture(autouse=True)
def _fresh_behaviour() -> Iterator[None]:
    BEHAVIOUR.plan.clear()
    BEHAVIOUR.calls.clear()
    yield


def registry(tmp_path: Path, **settings: Any) -> ProviderRegistry:
    reg = ProviderRegistry(Settings(data_dir=tmp_path / "data", **settings))
    reg.register(_image_provider("cheap", price=0.01, q=2, s=5))
    reg.register(_image_provider("pricey", price=0.08, q=5, s=2))
    reg.register(_image_provider("middle", price=0.04, q=4, s=3))
    reg.register(Unconfigured)
    return reg


def call_image(provider: Provider) -> str:
    assert isinstance(provider, ImageGenerator)
    return provider.generate("a crane", ImageSpec(64, 64)).data.decode()


# --- routes ---------------------------------------------------------------------------------


def test_routes_layer_system_then_user_then_project(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path, routes={"image": {"providers": ["a", "b"], "strategy": "cost"}}
    )
    assert layered_route("image", settings) == Route(("a", "b"), "cost")
    user = {"image": {"strategy": "quality"}}
    project = {"image": {"providers": ["c"]}, "voice": {"providers": ["v"]}}
    assert layered_route("image", settings, user) == Route(("a", "b"), "quality")
    assert layered_route("image", settings, user, project) == Route(("c",), "quality")
    # Unset everywhere: the single provider chosen in `providers`.
    assert layered_route("music", settings, user, project) == Route(("ambient",), "ordered")


@pytest.mark.parametrize(
    ("strategy", "order"),
    [
        ("ordered", ["pricey", "cheap", "middle"]),
        ("cost", ["cheap", "middle", "pricey"]),
        ("quality", ["pricey", "middle", "cheap"]),
        ("speed", ["cheap", "middle", "pricey"]),
        ("balanced", ["cheap", "middle", "pricey"]),
    ],
)
def test_strategies_rank_the_route(tmp_path: Path, strategy: Any, order: list[str]) -> None:
    router = ProviderRouter(registry(tmp_path))
    route = Route(("pricey", "cheap", "middle"), strategy)
    assert router.candidates("image", route) == order


def test_speed_prefers_what_was_measured_over_what_is_claimed(tmp_path: Path) -> None:
    router = ProviderRouter(registry(tmp_path))
    router.stats("image", "pricey").observe(0.2)  # claims slow, is fast here
    router.stats("image", "cheap").observe(3.0)
    route = Route(("cheap", "pricey"), "speed")
    assert router.candidates("image", route) == ["pricey", "cheap"]


# --- failover -------------------------------------------------------------------------------


def test_a_retryable_failure_falls_over_and_says_why(tmp_path: Path) -> None:
    router = ProviderRouter(registry(tmp_path))
    BEHAVIOUR.plan["pricey"] = [fail()]
    routed = router.run("image", Route(("needs_key", "pricey", "cheap")), call_image)
    assert routed.value == "png:cheap"
    assert [f["provider"] for f in routed.failovers] == ["needs_key", "pricey"]
    assert "STORYREEL_NEEDS_KEY__API_KEY" in routed.failovers[0]["reason"]
    assert "503" in routed.failovers[1]["reason"]


def test_a_refusal_is_not_retried_elsewhere(tmp_path: Path) -> None:
    router = ProviderRouter(registry(tmp_path))
    BEHAVIOUR.plan["pricey"] = [fail(retryable=False)]
    with pytest.raises(ProviderError, match="prompt refused"):
        router.run("image", Route(("pricey", "cheap")), call_image)
    assert BEHAVIOUR.calls == ["pricey"]


def test_when_every_provider_fails_the_error_lists_each(tmp_path: Path) -> None:
    router = ProviderRouter(registry(tmp_path))
    BEHAVIOUR.plan["pricey"] = [fail()]
    BEHAVIOUR.plan["cheap"] = [fail()]
    with pytest.raises(NoProviderAvailable) as caught:
        router.run("image", Route(("pricey", "cheap")), call_image)
    assert caught.value.retryable  # the task engine tries again later
    assert "pricey: HTTP 503" in str(caught.value) and "cheap: HTTP 503" in str(caught.value)


def test_the_one_provider_asked_for_keeps_its_own_setup_message(tmp_path: Path) -> None:
    router = ProviderRouter(registry(tmp_path))
    with pytest.raises(ProviderNotConfigured, match="STORYREEL_NEEDS_KEY__API_KEY"):
        router.run("image", Route(("needs_key",)), call_image)


def test_a_cached_result_costs_no_call(tmp_path: Path) -> None:
    router = ProviderRouter(registry(tmp_path))
    routed = router.run(
        "image",
        Route(("pricey", "cheap")),
        call_image,
        cached=lambda p: "from cache" if p.name == "pricey" else None,
    )
    assert routed.value == "from cache" and BEHAVIOUR.calls == []


def test_motion_falls_back_to_ken_burns(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", routes={"motion": {"providers": ["http"]}})
    ctx = PipelineContext.create(settings)
    picture = tmp_path / "p.png"
    from PIL import Image

    Image.new("RGB", (64, 36), "navy").save(picture)
    choice = steps.make_motion(ctx, picture, MotionSpec(shot_type="wide", index=0))
    assert choice.usage.provider == "kenburns" and choice.clip is None
    assert choice.usage.failovers[0]["provider"] == "http"
    assert "STORYREEL_HTTP_MOTION__" in choice.usage.failovers[0]["reason"]


# --- circuit breaker ------------------------------------------------------------------------


def test_the_circuit_opens_skips_then_lets_one_trial_through(tmp_path: Path) -> None:
    clock = FakeClock()
    reg = registry(tmp_path, router={"failure_threshold": 2, "cooldown_s": 30})
    router = ProviderRouter(reg, clock=clock.monotonic, sleep=clock.sleep)
    route = Route(("pricey", "cheap"))
    BEHAVIOUR.plan["pricey"] = [fail(), fail()]
    for _ in range(2):
        assert router.run("image", route, call_image).value == "png:cheap"
    assert router.breaker("image", "pricey").state == "open"

    BEHAVIOUR.calls.clear()
    routed = router.run("image", route, call_image)
    assert BEHAVIOUR.calls == ["cheap"]  # not even tried
    assert "skipped for another 30 s" in routed.failovers[0]["reason"]

    clock.now += 31  # cool-down over: one trial, which succeeds and closes the circuit
    assert router.breaker("image", "pricey").state == "half_open"
    assert router.run("image", route, call_image).value == "png:pricey"
    assert router.breaker("image", "pricey").state == "closed"


def test_a_failed_trial_opens_the_circuit_again(tmp_path: Path) -> None:
    clock = FakeClock()
    reg = registry(tmp_path, router={"failure_threshold": 1, "cooldown_s": 10})
    router = ProviderRouter(reg, clock=clock.monotonic, sleep=clock.sleep)
    BEHAVIOUR.plan["pricey"] = [fail(), fail()]
    route = Route(("pricey", "cheap"))
    router.run("image", route, call_image)
    clock.now += 11
    router.run("image", route, call_image)  # the trial fails
    assert router.breaker("image", "pricey").state == "open"


def test_refusals_do_not_open_the_circuit(tmp_path: Path) -> None:
    reg = registry(tmp_path, router={"failure_threshold": 1})
    router = ProviderRouter(reg)
    BEHAVIOUR.plan["pricey"] = [fail(retryable=False)]
    with pytest.raises(ProviderError):
        router.run("image", Route(("pricey",)), call_image)
    assert router.breaker("image", "pricey").state == "closed"


# --- limits ---------------------------------------------------------------------------------


def test_the_concurrency_limit_sends_overflow_to_the_next_provider(tmp_path: Path) -> None:
    reg = registry(
        tmp_path,
        router={"max_wait_s": 0.05, "limits": {"image.pricey": {"concurrency": 1}}},
    )
    router = ProviderRouter(reg)
    inside, release = threading.Event(), threading.Event()

    def hold() -> None:
        inside.set()
        release.wait(10)

    BEHAVIOUR.plan["pricey"] = [hold]
    first: list[str] = []
    worker = threading.Thread(
        target=lambda: first.append(
            router.run("image", Route(("pricey", "cheap")), call_image).value
        )
    )
    worker.start()
    assert inside.wait(10)
    second = router.run("image", Route(("pricey", "cheap")), call_image)
    release.set()
    worker.join(10)
    assert first == ["png:pricey"]
    assert second.value == "png:cheap"
    assert "concurrent slots" in second.failovers[0]["reason"]


def test_the_rate_limit_spaces_calls_out(tmp_path: Path) -> None:
    clock = FakeClock()
    reg = registry(
        tmp_path,
        router={"max_wait_s": 60, "limits": {"image.pricey": {"requests_per_minute": 2}}},
    )
    router = ProviderRouter(reg, clock=clock.monotonic, sleep=clock.sleep)
    for _ in range(4):
        assert router.run("image", Route(("pricey",)), call_image).value == "png:pricey"
    # A bucket of two: two calls at once, then one every 30 s.
    assert clock.sleeps == pytest.approx([30.0, 30.0])


def test_a_rate_limit_beyond_the_wait_falls_over(tmp_path: Path) -> None:
    clock = FakeClock()
    reg = registry(
        tmp_path,
        router={"max_wait_s": 5, "limits": {"image.pricey": {"requests_per_minute": 1}}},
    )
    router = ProviderRouter(reg, clock=clock.monotonic, sleep=clock.sleep)
    route = Route(("pricey", "cheap"))
    assert router.run("image", route, call_image).value == "png:pricey"
    routed = router.run("image", route, call_image)
    assert routed.value == "png:cheap" and "1 calls a minute" in routed.failovers[0]["reason"]
    assert clock.sleeps == []


# --- over real HTTP -------------------------------------------------------------------------


def test_a_failing_image_service_falls_over_to_the_next_provider(tmp_path: Path) -> None:
    """The real 'openai' provider against a fake server that keeps answering 503: its retries
    run out, the router records why and the sketch artist draws the shot instead."""
    clock = FakeClock()

    class FastOpenAI(OpenAIImages):
        def __init__(self, settings: Settings) -> None:
            super().__init__(settings, fast_transport(clock, attempts=2))

    with FakeImageAPI() as api:
        api.script = [Scripted(503, {"error": {"message": "overloaded"}})] * 2
        settings = Settings(
            data_dir=tmp_path / "data",
            openai_image={"base_url": f"{api.url}/v1", "api_key": "sk-test"},
            routes={"image": {"providers": ["openai", "sketch"]}},
        )
        reg = ProviderRegistry(settings)
        reg.register(FastOpenAI)
        ctx = PipelineContext.create(settings, reg)
        shot = Shot(id="s1", narration="A crane.", visual_prompt="a white crane")
        board = Storyboard(title="t", language="en", style="watercolor", shots=[shot])
        asset = steps.make_image(ctx, board, shot, 320, 180)
        assert len(api.requests) == 2  # both attempts reached the server
    assert asset.usage.provider == "sketch"
    assert asset.usage.failovers == [
        {"provider": "openai", "reason": asset.usage.failovers[0]["reason"]}
    ]
    assert "HTTP 503: overloaded" in asset.usage.failovers[0]["reason"]
    assert asset.path.read_bytes().startswith(b"\x89PNG")
