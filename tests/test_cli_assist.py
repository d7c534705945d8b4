"""``storyreel assist``: turns from the arguments, a conversation kept in a state file, the
script by a fake OpenAI-compatible model on loopback, one-line refusals offline."""

from __future__ import annotations

import json
from pathlib import Path

from tests.api.test_assistant import script_answer
from tests.providers import fakes
from tests.providers.fakes import FAKE_MODEL, FakeOpenAI
from tests.test_cli import storyreel

fake_openai = fakes.fake_openai  # the fixture, used by name below

IDEA = "a 60-second sci-fi short about a lighthouse keeper's robot named Bolt, warm, for children"
OFFLINE = {"STORYREEL_LLM__BASE_URL": "", "STORYREEL_LLM__API_KEY": "", "STORYREEL_LLM__MODEL": ""}


def test_turns_refine_the_brief_and_the_state_file_keeps_the_conversation(tmp_path: Path) -> None:
    state = tmp_path / "talk.json"
    first = storyreel("assist", IDEA, "make it darker", "--state", str(state), data_dir=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "Changed: mood: dark instead of warm." in first.stdout
    assert "brief (template scifi v1)" in first.stdout
    assert "next: storyreel make STORY.txt --style childrens_book --aspect 16:9" in first.stdout
    again = storyreel("assist", "vertical", "--state", str(state), "--json", data_dir=tmp_path)
    assert again.returncode == 0, again.stderr
    conversation = json.loads(again.stdout)
    assert conversation["brief"]["aspect"] == "9:16"
    assert conversation["brief"]["moods"] == ["dark"]
    assert len(conversation["turns"]) == 6
    assert json.loads(state.read_text())["brief"]["aspect"] == "9:16"


def test_offline_the_script_is_refused_in_one_line_naming_the_settings(tmp_path: Path) -> None:
    result = storyreel("assist", IDEA, "--script", data_dir=tmp_path, env=OFFLINE)
    assert result.returncode == 2
    assert result.stderr.startswith("error: writing a script from an idea needs an LLM")
    assert "STORYREEL_LLM__API_KEY" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_input_is_one_line(tmp_path: Path) -> None:
    empty = storyreel("assist", data_dir=tmp_path)  # no message, stdin not a terminal
    assert empty.returncode == 2 and empty.stderr.startswith("error: say what you would like")
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    bad = storyreel("assist", "ok", "--state", str(broken), data_dir=tmp_path)
    assert bad.returncode == 2 and "is not a conversation file" in bad.stderr


def test_the_script_is_written_by_the_llm(tmp_path: Path, fake_openai: FakeOpenAI) -> None:
    fake_openai.route(FakeOpenAI.CHAT, script_answer)
    env = {
        "STORYREEL_LLM__BASE_URL": fake_openai.base_url,
        "STORYREEL_LLM__API_KEY": "sk-test",
        "STORYREEL_LLM__MODEL": FAKE_MODEL,
    }
    out = tmp_path / "story.txt"
    result = storyreel("assist", IDEA, "--script", "-o", str(out), data_dir=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert out.read_text().startswith("Bolt the robot climbs the lighthouse stairs")
    assert f"next: storyreel make {out}" in result.stdout
