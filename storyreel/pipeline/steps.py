"""The generation steps: storyboard, image, voice, motion, music — each cached by content.

Every step asks the registry for the chosen provider, builds a request describing everything
that affects the result, and looks it up in the result cache first; a hit costs nothing.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from storyreel.domain.motion import previous_moves
from storyreel.domain.storyboard import Shot, Storyboard
from storyreel.domain.timeline import Motion
from storyreel.domain.visual_prompts import VisualPrompt, build_visual_prompt
from storyreel.pipeline.context import PipelineContext
from storyreel.providers.base import (
    Brief,
    Capability,
    ImageGenerator,
    ImageSpec,
    MotionGenerator,
    MotionSpec,
    MusicSource,
    Provider,
    ProviderError,
    SpeechSynthesizer,
    StoryboardWriter,
    Usage,
    VoiceSpec,
    WordTiming,
)
from storyreel.providers.cache import CachedResult, ResultCache, cache_key
from storyreel.providers.router import CallScope, Route, estimate_cost, layered_route
from storyreel.storage.base import BlobNotFound

T = TypeVar("T")


@dataclass
class Asset:
    """A generated file in the blob store, with what it cost (nothing, when cached)."""

    path: Path
    key: str
    cached: bool
    usage: Usage
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class ImageAsset(Asset):
    """A picture, with the prompt the provider that made it was asked (and its score)."""

    prompt: VisualPrompt | None = None


@dataclass
class VoiceAsset(Asset):
    duration: float = 0.0
    words: list[WordTiming] | None = None


def local_file(ctx: PipelineContext, key: str) -> Path:
    """A path on this machine's disk holding the blob ``key`` (raises ``BlobNotFound``)."""
    return ctx.store.local_file(key)


def _path_of(ctx: PipelineContext, hit: CachedResult) -> Path:
    return local_file(ctx, hit.payload_key)


def _usage_from(meta: dict[str, Any], cached: bool) -> Usage:
    u = meta.get("usage", {})
    return Usage(
        provider=str(u.get("provider", "")),
        model=str(u.get("model", "")),
        seconds=0.0 if cached else float(u.get("seconds", 0.0)),
        units={} if cached else dict(u.get("units", {})),
        cached=cached,
    )


def _usage_meta(usage: Usage) -> dict[str, Any]:
    return {
        "provider": usage.provider,
        "model": usage.model,
        "seconds": usage.seconds,
        "units": usage.units,
    }


def _priced(provider: Provider, usage: Usage) -> Usage:
    """The call's cost from the provider's prices when it did not state one itself."""
    prices = provider.prices()
    if prices and "cost" not in usage.units:
        usage.units["cost"] = round(estimate_cost(prices, usage.units), 6)
    return usage


def _results(ctx: PipelineContext, scope: CallScope | None) -> ResultCache:
    """The result cache this work reads and fills: its project's, or the shared one."""
    return ctx.cache.within(scope.cache_root if scope is not None else None)


def _routed(
    ctx: PipelineContext,
    capability: Capability,
    provider: str | None,
    scope: CallScope | None,
    call: Callable[[Provider], T],
    cached: Callable[[Provider], T | None],
) -> tuple[T, list[dict[str, str]]]:
    """``call`` through the router: a provider named for this call, else the layered route.
    Returns the value and the providers passed over on the way, with why."""
    scope = scope or CallScope()
    route = (
        Route((provider,)) if provider else layered_route(capability, ctx.settings, *scope.layers)
    )
    routed = ctx.router.run(
        capability,
        route,
        call,
        cached=cached,
        before_paid_call=scope.before_paid_call,
        registry=scope.registry,
    )
    return routed.value, routed.failovers


def story_digest(story: str) -> str:
    return hashlib.sha256(story.encode()).hexdigest()


# --- storyboard -----------------------------------------------------------------------------


def write_storyboard(
    ctx: PipelineContext,
    story: str,
    brief: Brief,
    provider: str | None = None,
    scope: CallScope | None = None,
) -> tuple[Storyboard, Usage]:
    """The story as a validated storyboard (from cache when this exact request was seen)."""
    request = {
        "story": story_digest(story),
        "style": brief.style.name,
        "language": brief.language,
        "aspect": brief.aspect,
        "target_seconds": brief.target_seconds,
        "max_shots": brief.max_shots,
        "title": brief.title,
        "seed": brief.seed,
    }

    cache = _results(ctx, scope)

    def key_of(writer: Provider) -> str:
        return cache_key("storyboard", writer.name, writer.model, request)

    def cached(writer: Provider) -> tuple[Storyboard, Usage] | None:
        hit = cache.get("storyboard", key_of(writer), "json") if writer.deterministic else None
        if hit is None:
            return None
        board = Storyboard.model_validate_json(ctx.store.read_bytes(hit.payload_key))
        return board, _usage_from(hit.meta, cached=True)

    def call(writer: Provider) -> tuple[Storyboard, Usage]:
        assert isinstance(writer, StoryboardWriter)
        board, usage = writer.write(story, brief)
        _priced(writer, usage)
        cache.put(
            "storyboard",
            key_of(writer),
            "json",
            board.model_dump_json(indent=2).encode(),
            {"usage": _usage_meta(usage)},
        )
        return board, usage

    (board, usage), failovers = _routed(ctx, "storyboard", provider, scope, call, cached)
    usage.failovers = failovers
    return board, usage


# --- image ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImageOptions:
    """Per-call overrides of the image provider's defaults."""

    provider: str | None = None
    model: str | None = None
    seed: int | None = None
    steps: int | None = None
    guidance: float | None = None


def visual_prompt(board: Storyboard, shot: Shot, family: str = "plain") -> VisualPrompt:
    """The shot's picture prompt for an image model of ``family``: the shot's intent, its
    characters with their descriptions, setting, time, framing and style, in the family's form
    and language, with its negative prompt and quality score (``domain.visual_prompts``).

    Every image path builds its prompt here; as the text is part of the cache key, editing a
    character's description makes the pictures of the shots naming it again.
    """
    return build_visual_prompt(board, shot, family)


def shot_prompt(board: Storyboard, shot: Shot, family: str = "plain") -> str:
    """The prompt text of ``visual_prompt``; "plain" is the visual prompt, then who the
    characters it names are (what the sketch prints)."""
    return visual_prompt(board, shot, family).text


def prompt_family(generator: Provider, model: str | None) -> str:
    """How ``generator`` wants to be prompted for a call with ``model``."""
    return generator.family_for(model) if isinstance(generator, ImageGenerator) else "plain"


def image_spec(
    board: Storyboard,
    shot: Shot,
    width: int,
    height: int,
    seed: int,
    options: ImageOptions,
    references: Mapping[str, Path] | None = None,
    prompt: VisualPrompt | None = None,
) -> ImageSpec:
    """Everything but the prompt text; ``references`` are character ids' reference pictures
    (only those of the characters the shot names are passed on). The negative prompt is
    ``prompt``'s (its family's: none for families that take none), else the shot's."""
    named = list(dict.fromkeys(shot.characters))
    references = references or {}
    return ImageSpec(
        width=width,
        height=height,
        seed=options.seed if options.seed is not None else seed,
        style=board.style,
        shot_type=shot.shot_type,
        characters=tuple(board.character(c) for c in named),
        caption=_caption(shot.visual_prompt, board.style),
        mood=shot.mood,
        time_of_day=shot.time_of_day,
        setting=shot.setting,
        negative_prompt=shot.negative_prompt if prompt is None else prompt.negative,
        model=options.model,
        steps=options.steps,
        guidance=options.guidance,
        reference_images=tuple(references[c] for c in named if c in references),
    )


def _caption(prompt: str, style_name: str) -> str:
    """The prompt without the style's boilerplate prefix: what this shot is, in a few words."""
    from storyreel.domain.styles import STYLES

    style = STYLES.get(style_name)
    if style is not None and prompt.startswith(style.prompt_prefix):
        rest = prompt[len(style.prompt_prefix) :].lstrip(" ,.;:")
        return rest or prompt
    return prompt


def image_request(prompt: str, spec: ImageSpec) -> dict[str, Any]:
    """What the image cache key hashes: the prompt and every field of the spec (reference
    pictures by content, not by where this machine keeps them)."""
    return {
        "prompt": prompt,
        "spec": {
            **dataclasses.asdict(spec),
            "characters": [c.model_dump() for c in spec.characters],
            "reference_images": [
                hashlib.sha256(p.read_bytes()).hexdigest() for p in spec.reference_images
            ],
        },
    }


def make_image(
    ctx: PipelineContext,
    board: Storyboard,
    shot: Shot,
    width: int,
    height: int,
    *,
    seed: int = 0,
    options: ImageOptions | None = None,
    references: Mapping[str, Path] | None = None,
    scope: CallScope | None = None,
) -> ImageAsset:
    """The shot's picture, as a PNG in the blob store; ``options`` override the provider's
    defaults and the seed, ``references`` maps character ids to reference pictures. Each
    provider on the route is asked in its own prompt family, so each has its own cache key."""
    options = options or ImageOptions()
    prepared: dict[str, tuple[VisualPrompt, ImageSpec, dict[str, Any]]] = {}

    def request_for(generator: Provider) -> tuple[VisualPrompt, ImageSpec, dict[str, Any]]:
        family = prompt_family(generator, options.model)
        if family not in prepared:
            prompt = visual_prompt(board, shot, family)
            spec = image_spec(board, shot, width, height, seed, options, references, prompt)
            prepared[family] = (prompt, spec, image_request(prompt.text, spec))
        return prepared[family]

    cache = _results(ctx, scope)

    def key_of(generator: Provider) -> str:
        request = request_for(generator)[2]
        return cache_key("image", generator.name, options.model or generator.model, request)

    def cached(generator: Provider) -> ImageAsset | None:
        key = key_of(generator)
        hit = cache.get("image", key, "png") if generator.deterministic else None
        if hit is None:
            return None
        usage = _usage_from(hit.meta, True)
        prompt = request_for(generator)[0]
        return ImageAsset(_path_of(ctx, hit), key, True, usage, hit.meta, prompt)

    def call(generator: Provider) -> ImageAsset:
        assert isinstance(generator, ImageGenerator)
        prompt, spec, _ = request_for(generator)
        result = generator.generate(prompt.text, spec)
        usage = _priced(generator, result.usage)
        meta = {"seed": result.seed, "usage": _usage_meta(usage), **result.meta}
        stored = cache.put("image", key_of(generator), "png", result.data, meta)
        return ImageAsset(_path_of(ctx, stored), stored.key, False, usage, meta, prompt)

    asset, failovers = _routed(ctx, "image", options.provider, scope, call, cached)
    asset.usage.failovers = failovers
    return asset


# --- voice ----------------------------------------------------------------------------------


def make_voice(
    ctx: PipelineContext,
    text: str,
    voice: VoiceSpec,
    provider: str | None = None,
    scope: CallScope | None = None,
) -> VoiceAsset:
    """The narration spoken, as a WAV with its exact duration (and word timings if known)."""
    request = {"text": text, "voice": dataclasses.asdict(voice)}

    cache = _results(ctx, scope)

    def key_of(synth: Provider) -> str:
        return cache_key("voice", synth.name, synth.model, request)

    def cached(synth: Provider) -> VoiceAsset | None:
        hit = cache.get("voice", key_of(synth), "wav") if synth.deterministic else None
        return None if hit is None else _voice_asset(ctx, hit, cached=True)

    def call(synth: Provider) -> VoiceAsset:
        assert isinstance(synth, SpeechSynthesizer)
        result = synth.synthesize(text, _voice_for(synth, voice))
        meta = {
            "duration": result.duration,
            "words": [dataclasses.asdict(w) for w in result.words] if result.words else None,
            "usage": _usage_meta(_priced(synth, result.usage)),
        }
        stored = cache.put("voice", key_of(synth), "wav", result.wav, meta)
        return _voice_asset(ctx, stored, cached=False)

    asset, failovers = _routed(ctx, "voice", provider, scope, call, cached)
    asset.usage.failovers = failovers
    return asset


def _voice_for(synth: SpeechSynthesizer, voice: VoiceSpec) -> VoiceSpec:
    """The voice asked for, or 'auto' for a provider that does not offer it (a fallback on the
    route): another provider's voice id would only make it fail."""
    if voice.voice == "auto":
        return voice
    offered = {v.id.lower() for v in synth.voices()}
    if not offered or voice.voice.lower() in offered:
        return voice
    return dataclasses.replace(voice, voice="auto")


def _voice_asset(ctx: PipelineContext, hit: CachedResult, *, cached: bool) -> VoiceAsset:
    words = hit.meta.get("words")
    return VoiceAsset(
        path=_path_of(ctx, hit),
        key=hit.key,
        cached=cached,
        usage=_usage_from(hit.meta, cached),
        meta=hit.meta,
        duration=float(hit.meta["duration"]),
        words=[WordTiming(**w) for w in words] if words else None,
    )


# --- motion ---------------------------------------------------------------------------------


def motion_spec(board: Storyboard, index: int, voice_seconds: float, seed: int) -> MotionSpec:
    """What shot ``index`` is animated from: the one place a shot's move is decided. The move
    before it is the one ``domain.motion`` plans for the previous shot, so shots animate in
    parallel and every client of the engine gets the same moves."""
    shot = board.shots[index]
    return MotionSpec(
        shot_type=shot.shot_type,
        index=index,
        previous=previous_moves(board.shots, seed)[index],
        preferred=shot.camera_motion,
        seconds=voice_seconds + 1.5,
        seed=seed,
        prompt=shot.visual_prompt,
    )


@dataclass
class MotionChoice:
    """How a shot moves: a plan for the renderer, or a generated clip replacing the picture."""

    plan: Motion
    clip: Asset | None
    usage: Usage


def make_motion(
    ctx: PipelineContext,
    image: Path,
    spec: MotionSpec,
    provider: str | None = None,
    scope: CallScope | None = None,
) -> MotionChoice:
    image_bytes = image.read_bytes()
    request = {
        "image": hashlib.sha256(image_bytes).hexdigest(),
        "spec": dataclasses.asdict(spec),
    }

    cache = _results(ctx, scope)

    def key_of(animator: Provider) -> str:
        return cache_key("motion", animator.name, animator.model, request)

    def cached(animator: Provider) -> MotionChoice | None:
        hit = cache.get("motion", key_of(animator), "json") if animator.deterministic else None
        return None if hit is None else _motion_choice(ctx, hit, cached=True)

    def call(animator: Provider) -> MotionChoice:
        assert isinstance(animator, MotionGenerator)
        key = key_of(animator)
        started = time.perf_counter()
        result = animator.animate(image_bytes, spec)
        clip_key = None
        if result.clip is not None:
            clip_key = cache.put("motion", key, "mp4", result.clip, {"usage": {}}).payload_key
        elif result.plan is None:
            raise ProviderError(f"motion provider {animator.name!r} returned neither plan nor clip")
        plan = result.plan or Motion()
        meta = {
            "plan": plan.model_dump(),
            "clip": clip_key,
            "usage": _usage_meta(_priced(animator, result.usage)),
            "seconds": time.perf_counter() - started,
        }
        stored = cache.put("motion", key, "json", b"{}", meta)
        return _motion_choice(ctx, stored, cached=False)

    choice, failovers = _routed(ctx, "motion", provider, scope, call, cached)
    choice.usage.failovers = failovers
    return choice


def _motion_choice(ctx: PipelineContext, hit: CachedResult, *, cached: bool) -> MotionChoice:
    usage = _usage_from(hit.meta, cached)
    clip = None
    clip_key = hit.meta.get("clip")
    if clip_key:
        with contextlib.suppress(BlobNotFound):  # trimmed from the store: animate again
            clip = Asset(ctx.store.local_file(clip_key), hit.key, cached, usage)
    return MotionChoice(plan=Motion.model_validate(hit.meta["plan"]), clip=clip, usage=usage)


# --- music ----------------------------------------------------------------------------------


def make_music(
    ctx: PipelineContext,
    mood: str,
    seconds: float,
    seed: int = 0,
    provider: str | None = None,
    scope: CallScope | None = None,
) -> Asset:
    """A music bed for the mood (the renderer loops it to the video's length)."""
    request = {"mood": mood, "seconds": round(seconds, 1), "seed": seed}

    cache = _results(ctx, scope)

    def key_of(source: Provider) -> str:
        return cache_key("music", source.name, source.model, request)

    def cached(source: Provider) -> Asset | None:
        key = key_of(source)
        hit = cache.get("music", key, "wav") if source.deterministic else None
        if hit is None:
            return None
        return Asset(_path_of(ctx, hit), key, True, _usage_from(hit.meta, True), hit.meta)

    def call(source: Provider) -> Asset:
        assert isinstance(source, MusicSource)
        result = source.track(mood, seconds, seed)
        usage = _priced(source, result.usage)
        meta = {"duration": result.duration, "usage": _usage_meta(usage)}
        stored = cache.put("music", key_of(source), "wav", result.wav, meta)
        return Asset(_path_of(ctx, stored), stored.key, False, usage, meta)

    asset, failovers = _routed(ctx, "music", provider, scope, call, cached)
    asset.usage.failovers = failovers
    return asset
