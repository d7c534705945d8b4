"""Condensing a 100,000-character novel to a 90-second film: offline (extractive) and by the
chat model (map → reduce) against the fake OpenAI-compatible server on loopback, side by side.

    .venv/bin/python bench/condense.py [--chars 100000] [--seconds 90] [--repeat 3]

Prints, per language, the median seconds of each method, the LLM requests, the characters sent
and tokens sent (characters / 4: no tokenizer; Chinese runs nearer 1-1.5 characters a token),
and the length before and after. The fake model answers at once with about the length asked
for, so the LLM figures are our own overhead (splitting, prompts, HTTP, the router); a real
model adds its own seconds per request.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from storyreel.domain.condense import Condensed, chars_for_seconds
from storyreel.pipeline.condense import condense_story
from storyreel.pipeline.context import PipelineContext
from storyreel.settings import Settings
from tests.domain.test_condense import novel
from tests.providers.fakes import (
    FAKE_MODEL,
    FakeOpenAI,
    LoopbackServer,
    Recorded,
    Reply,
    chat_completion,
)

_ASKED_RE = re.compile(r"about (\d+) words|约 (\d+) 个汉字")
_BODY_RE = re.compile(r"<(?:part|summaries)>\n(.*?)\n</(?:part|summaries)>", re.DOTALL)


def fake_model(recorded: Recorded) -> Reply:
    """About the length asked for, cut from what it was given; a names list for the maps."""
    prompt = recorded.json["messages"][1]["content"]
    asked = _ASKED_RE.search(prompt)
    body = _BODY_RE.search(prompt)
    assert asked and body
    chars = int(asked.group(1)) * 6 if asked.group(1) else int(asked.group(2) or 0)
    text = body.group(1)[:chars]
    if "<part>" in prompt:
        return chat_completion(
            f"<summary>\n{text}\n</summary>\n<facts>\n- Mara: keeps the light\n</facts>",
            prompt_tokens=len(prompt) // 4,
        )
    return chat_completion(text, prompt_tokens=len(prompt) // 4)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chars", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=90.0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    fake = FakeOpenAI()
    fake.route(FakeOpenAI.CHAT, fake_model)
    server = LoopbackServer(fake.app).start()
    fake.base_url = f"{server.url}/v1"
    try:
        with tempfile.TemporaryDirectory() as tmp:
            offline = PipelineContext.create(Settings(data_dir=Path(tmp) / "a"))
            llm = PipelineContext.create(
                Settings(
                    data_dir=Path(tmp) / "b",
                    providers={"storyboard": "openai"},
                    llm={"base_url": fake.base_url, "api_key": "sk-bench", "model": FAKE_MODEL},
                )
            )
            print(
                f"{'':<4}{'method':<9}{'seconds':>9}{'calls':>7}{'chars sent':>12}"
                f"{'tokens~':>9}{'before':>9}{'after':>7}{'target':>8}"
            )
            for language in ("en", "zh"):
                story = novel(language, args.chars)
                target = chars_for_seconds(story, args.seconds)
                for name, ctx in (("offline", offline), ("llm", llm)):
                    times: list[float] = []
                    done: Condensed | None = None
                    for _ in range(args.repeat):
                        t0 = time.perf_counter()
                        done = condense_story(
                            ctx, story, target_seconds=args.seconds, max_chars=100_000
                        )
                        times.append(time.perf_counter() - t0)
                    assert done is not None and done.method == name, done
                    print(
                        f"{language:<4}{name:<9}{statistics.median(times):>9.2f}{done.calls:>7}"
                        f"{done.chars_sent:>12,}{done.chars_sent // 4:>9,}{done.before:>9,}"
                        f"{done.after:>7,}{target:>8,}"
                    )
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
