"""One turn of the assistant: a message read (``read``), applied to the brief (the first message
builds it; later ones refine it: "make it darker", "add a cat", "call the robot Bolt", "30
seconds", or a plain answer to the question asked), a template chosen, the brief checked, and a
reply written in the brief's language with at most two questions. Pure and deterministic: the
same conversation and message give the same next state.

``plan`` is what the brief comes to once the template fills what the person left open (length,
style, frame, moods and the beats to follow): what a script is written from and a project made
with.
"""

from __future__ import annotations

import re

from storyreel.domain.assistant import words as W
from storyreel.domain.assistant.model import (
    MAX_LENGTH_S,
    MIN_LENGTH_S,
    Aspect,
    Brief,
    BriefCharacter,
    Conversation,
    Issue,
    Reading,
    Turn,
)
from storyreel.domain.assistant.quality import (
    GENRE_NAMES,
    aspect_conflict,
    check_brief,
    era_conflict,
)
from storyreel.domain.assistant.quality import (
    plan_style as plan_style,  # the plan's style, with the rest of the plan below
)
from storyreel.domain.assistant.read import PhraseTable, read
from storyreel.domain.assistant.templates import Template, TemplateLibrary
from storyreel.domain.text import EN_WORDS_PER_SECOND, ZH_CHARS_PER_SECOND

MAX_MESSAGE_CHARS = 2000
MAX_TURNS = 200
MAX_NOTES = 12
#: A reply asks at most this many questions (the rest wait their turn).
MAX_QUESTIONS = 2
#: A reply shorter than this that names nothing answers the question asked last.
SHORT_ANSWER_CHARS = 80

_ADD = PhraseTable({"add": (W.EN_ADD, W.ZH_ADD)})
_REMOVE = PhraseTable({"remove": (W.EN_REMOVE, W.ZH_REMOVE)})
_SHORTER = PhraseTable({"shorter": (W.EN_SHORTER, W.ZH_SHORTER)})
_LONGER = PhraseTable({"longer": (W.EN_LONGER, W.ZH_LONGER)})
_EN_RENAME_RE = re.compile(
    r"\b(?:call|name|rename)\s+(?:the\s+|her\s+|his\s+)?([a-z][\w -]{0,30}?)\s+(?:to\s+|as\s+)?"
    r"[\"“']?([A-Z][\w'-]{0,30})"
)
_ZH_RENAME_RE = re.compile(
    r"([\u4e00-\u9fff]{1,8}?)(?:改名叫|改名为|改叫|就叫|叫做|名叫|叫)([\u4e00-\u9fff]{2,4})"
)
_STRIP_ANSWER = " \t\n.。!！?？,，;；"


def to_ask(issues: list[Issue]) -> list[Issue]:
    """The issues a reply asks about now: missing or contradictory ones with a question, in
    order (contradictions come first), at most ``MAX_QUESTIONS``."""
    return [i for i in issues if i.kind != "assumed" and i.question][:MAX_QUESTIONS]


class ConversationFull(ValueError):
    """A conversation has had as many turns as it may keep; start a new one."""


def start(message: str, library: TemplateLibrary) -> Conversation:
    """A conversation from its first message."""
    return reply(Conversation(brief=Brief()), message, library)


def reply(conversation: Conversation, message: str, library: TemplateLibrary) -> Conversation:
    """The conversation after ``message`` (see the module)."""
    text = " ".join(message.split())[:MAX_MESSAGE_CHARS]
    if not text:
        raise ValueError("the message is empty: say what you would like to make or change")
    if len(conversation.turns) + 2 > MAX_TURNS:
        raise ConversationFull(
            f"this conversation has {len(conversation.turns)} turns, the most it keeps; "
            "start a new one from its brief"
        )
    reading = read(text)
    first = not conversation.turns
    brief = conversation.brief.model_copy(deep=True)
    changes = _build(brief, reading, text) if first else _refine(brief, reading, text, conversation)
    template = library.choose(brief.task, brief.genre)
    brief.template = template.ref
    said = " ".join([*(t.text for t in conversation.turns if t.speaker == "user"), text])
    issues = check_brief(brief, template, said=said)
    for conflict in (
        era_conflict(reading.eras_named, said, brief.language),
        aspect_conflict(reading.aspects_named, brief.language),
    ):
        if conflict is not None:
            issues.insert(0, conflict)
    asked = [i.field for i in to_ask(issues)]
    answer = compose_reply(brief, template, issues, changes, first=first)
    turns = [
        *conversation.turns,
        Turn(speaker="user", text=text, changes=changes),
        Turn(speaker="assistant", text=answer),
    ]
    return Conversation(brief=brief, issues=issues, turns=turns, asked=asked)


# --- the first message ----------------------------------------------------------------------


def _build(brief: Brief, reading: Reading, text: str) -> list[str]:
    brief.idea = text
    brief.language = reading.wants_language or reading.language
    brief.task = reading.intent.task
    brief.genre = reading.intent.genre
    brief.characters = _with_lead(reading.characters)
    brief.setting = reading.setting
    brief.era = reading.era
    brief.time_of_day = reading.time_of_day
    brief.style = reading.style
    brief.moods = list(reading.moods)
    brief.audience = reading.audience
    brief.length_s = _clamp(reading.length_s)
    brief.aspect = reading.aspect
    brief.goal = reading.goal[:300] if reading.goal else None
    return []


def _with_lead(characters: list[BriefCharacter]) -> list[BriefCharacter]:
    """The lead is the one the request is about: the owned one in "a keeper's robot", else the
    first named."""
    if not characters:
        return []
    lead = next((c for c in characters if "'s " in c.description), None)
    lead = lead or next(
        (c for c in characters if c.name[:1].isupper() or not c.name.startswith("the ")), None
    )
    lead = lead or characters[0]
    return [
        c.model_copy(update={"role": "lead" if c is lead else "supporting"}) for c in characters
    ]


def _clamp(seconds: float | None) -> float | None:
    if seconds is None:
        return None
    return max(MIN_LENGTH_S, min(MAX_LENGTH_S, seconds))


# --- a later message ------------------------------------------------------------------------


def _refine(brief: Brief, reading: Reading, text: str, conversation: Conversation) -> list[str]:
    zh = brief.language == "zh"
    changes: list[str] = []

    def changed(en: str, zh_text: str) -> None:
        changes.append(zh_text if zh else en)

    folded = text.lower()
    if reading.wants_language and reading.wants_language != brief.language:
        brief.language = reading.wants_language
        zh = brief.language == "zh"
        changed("the film will be in English", "片子改为中文")
    if reading.task_stated and reading.intent.task != brief.task:
        brief.task = reading.intent.task
        changed(f"now making: {brief.task}", f"改为制作：{brief.task}")
    if (
        reading.genre_stated
        and reading.intent.genre != brief.genre
        and reading.intent.confidence >= 0.6
    ):
        brief.genre = reading.intent.genre
        en_name, zh_name = GENRE_NAMES[brief.genre]
        changed(f"genre: {en_name}", f"类型：{zh_name}")

    renamed = _rename(brief, text)
    if renamed:
        changed(f"renamed {renamed[0]} to {renamed[1]}", f"{renamed[0]}改名为{renamed[1]}")
    removing = bool(_REMOVE.find(folded))
    if removing:
        # Whoever the message names goes: read as a character ("remove the cat") or just
        # mentioned by name ("去掉猫", "drop Bolt").
        for c in list(brief.characters):
            key = c.name.lower().removeprefix("the ")
            named = any(_same_character(c, gone) for gone in reading.characters) or (
                key in folded if not key.isascii() else re.search(rf"\b{re.escape(key)}\b", folded)
            )
            if named:
                brief.characters.remove(c)
                changed(f"removed {c.name}", f"去掉了{c.name}")
    elif not renamed:
        for new in reading.characters:
            if any(_same_character(c, new) for c in brief.characters):
                continue
            if len(brief.characters) >= 12:
                break
            role = "lead" if not brief.characters else "supporting"
            brief.characters.append(new.model_copy(update={"role": role}))
            changed(f"added {new.name}", f"加入了{new.name}")

    for mood in reading.moods:
        if mood in brief.moods:
            continue
        opposed = {
            m for a, b in W.OPPOSED_MOODS for m in (b if mood in a else a if mood in b else ())
        }
        dropped = [m for m in brief.moods if m in opposed]
        brief.moods = [m for m in brief.moods if m not in opposed] + [mood]
        note = f" instead of {', '.join(dropped)}" if dropped else ""
        note_zh = f"（不再{'、'.join(W.MOOD_ZH[m] for m in dropped)}）" if dropped else ""
        changed(f"mood: {mood}{note}", f"基调：{W.MOOD_ZH[mood]}{note_zh}")
    for mood in reading.moods_not:
        if mood in brief.moods:
            brief.moods.remove(mood)
            changed(f"no longer {mood}", f"不再{W.MOOD_ZH[mood]}")

    length = brief.length_s
    if reading.length_s is not None:
        length = _clamp(reading.length_s)
    elif _SHORTER.find(folded):
        length = _clamp((brief.length_s or 60.0) * 0.5)
    elif _LONGER.find(folded):
        length = _clamp((brief.length_s or 60.0) * 1.5)
    if length != brief.length_s:
        brief.length_s = length
        changed(f"length: {_seconds(length)}", f"片长：{_seconds_zh(length)}")

    for field, value, en_label, zh_label in (
        ("setting", reading.setting, "setting", "地点"),
        ("era", reading.era, "era", "年代"),
        ("time_of_day", reading.time_of_day, "time of day", "时间"),
        ("style", reading.style, "style", "风格"),
        ("audience", reading.audience, "for", "观众"),
        ("aspect", reading.aspect, "frame", "画幅"),
        ("goal", reading.goal[:300] if reading.goal else None, "goal", "目标"),
    ):
        if value is not None and value != getattr(brief, field):
            setattr(brief, field, value)
            changed(f"{en_label}: {value}", f"{zh_label}：{value}")

    if not changes and not _acknowledges(text):
        answered = _answer(brief, text, conversation.asked)
        if answered:
            changed(*answered)
        elif len(brief.notes) < MAX_NOTES:
            brief.notes.append(text[:300])
            changed(f"noted: {text[:80]}", f"已记下：{text[:40]}")
    return changes


def _same_character(a: BriefCharacter, b: BriefCharacter) -> bool:
    def key(c: BriefCharacter) -> str:
        return c.name.lower().removeprefix("the ").strip()

    ka, kb = key(a), key(b)
    if not ka or not kb:
        return False
    if not ka.isascii() or not kb.isascii():  # Chinese: "猫" is "小猫", "看守人" is "灯塔看守人"
        return ka.endswith(kb) or kb.endswith(ka)
    return ka == kb or ka.endswith(" " + kb) or kb.endswith(" " + ka)


def _rename(brief: Brief, text: str) -> tuple[str, str] | None:
    """ "Call the robot Bolt", "机器人叫小铁": a character gets a name."""
    for m in (*_EN_RENAME_RE.finditer(text), *_ZH_RENAME_RE.finditer(text)):
        who, name = m.group(1).strip().lower(), m.group(2)
        for i, c in enumerate(brief.characters):
            key = c.name.lower().removeprefix("the ")
            if who and (key.endswith(who) or who.endswith(key) or who in c.description.lower()):
                description = c.description or c.name.removeprefix("the ")
                brief.characters[i] = c.model_copy(
                    update={"name": name, "description": description}
                )
                return c.name, name
    return None


def _acknowledges(text: str) -> bool:
    return text.lower().strip(_STRIP_ANSWER) in W.ACKNOWLEDGEMENTS


def _answer(brief: Brief, text: str, asked: list[str]) -> tuple[str, str] | None:
    """A short message that names nothing answers the first question asked ("On Mars.")."""
    value = text.strip(_STRIP_ANSWER)
    if not asked or not value or len(value) > SHORT_ANSWER_CHARS:
        return None
    field = asked[0]
    # An answer is a phrase, not a sentence: a few words ("A snowy forest", "Mia, a baker").
    words = len(value.split()) if value.isascii() else len(value) // 3
    if words > {"characters": 5, "setting": 8}.get(field, 16):
        return None
    if field == "characters":
        brief.characters.append(
            BriefCharacter(name=value[:80], role="lead" if not brief.characters else "supporting")
        )
        return f"added {value}", f"加入了{value}"
    if field in ("setting", "era", "goal"):
        setattr(brief, field, value[:300] if field == "goal" else value[:200])
        return f"{field}: {value}", f"{_FIELD_ZH[field]}：{value}"
    return None


_FIELD_ZH = {"setting": "地点", "era": "年代", "goal": "目标"}


# --- the reply ------------------------------------------------------------------------------


def _seconds(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds >= 60 and seconds % 60 == 0:
        n = int(seconds // 60)
        return f"{n} minute{'s' if n > 1 else ''}"
    return f"{seconds:g} seconds"


def _seconds_adjective(seconds: float) -> str:
    """ "60-second", "2-minute": a length before a noun."""
    if seconds >= 60 and seconds % 60 == 0:
        return f"{int(seconds // 60)}-minute"
    return f"{seconds:g}-second"


def _seconds_zh(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds >= 60 and seconds % 60 == 0:
        return f"{int(seconds // 60)}分钟"
    return f"{seconds:g}秒"


def _who(c: BriefCharacter, zh: bool = False) -> str:
    if not c.description:
        return c.name
    return f"{c.name}（{c.description}）" if zh else f"{c.name} ({c.description})"


def compose_reply(
    brief: Brief, template: Template, issues: list[Issue], changes: list[str], *, first: bool
) -> str:
    """What the assistant says: what changed, the brief in a sentence or two, the questions."""
    zh = brief.language == "zh"
    length = brief.length_s or template.default_length_s
    lines: list[str] = []
    if changes:
        lines.append(
            ("已修改：" + "；".join(changes) + "。")
            if zh
            else ("Changed: " + "; ".join(changes) + ".")
        )
    if zh:
        head = f"一部{_seconds_zh(length)}的{template.title_zh}"
        if brief.audience:
            head += f"，给{_AUDIENCE_ZH[brief.audience]}看"
        lines.append(head + "。")
        if brief.characters:
            lines.append("角色：" + "、".join(_who(c, zh) for c in brief.characters) + "。")
        where = "，".join(
            x for x in (brief.setting, _era_zh(brief.era), _time_zh(brief.time_of_day)) if x
        )
        if where:
            lines.append(f"地点与时间：{where}。")
        if brief.goal:
            lines.append(f"主线：{brief.goal}。")
    else:
        head = f"A {_seconds_adjective(length)} {template.title[:1].lower()}{template.title[1:]}"
        if brief.audience:
            head += f" for {brief.audience}"
        lines.append(head + ".")
        if brief.characters:
            lines.append("With " + ", ".join(_who(c) for c in brief.characters) + ".")
        where = ", ".join(x for x in (brief.setting, brief.era, brief.time_of_day) if x)
        if where:
            lines.append(f"Set: {where}.")
        if brief.goal:
            lines.append(f"Story: {brief.goal}.")
    questions = [i.question for i in to_ask(issues) if i.question]
    if questions:
        lines.append(
            ("想确认一下：" if zh else "To make it better: ") + ("" if zh else " ").join(questions)
        )
    else:
        lines.append(
            "简介已经可以用了：可以写剧本，或继续修改。"
            if zh
            else "The brief is ready: write the script, or keep refining."
        )
    return " ".join(lines) if not zh else "".join(lines)


_AUDIENCE_ZH = {"children": "小朋友", "teens": "青少年", "adults": "成年人", "family": "全家"}


def _era_zh(era: str | None) -> str | None:
    return W.ERA_ZH.get(era, era) if era else None


def _time_zh(time: str | None) -> str | None:
    return W.TIME_ZH.get(time, time) if time else None


# --- the plan a script is written from --------------------------------------------------------


def plan_length(brief: Brief, template: Template) -> float:
    return brief.length_s or template.default_length_s


def plan_aspect(brief: Brief) -> Aspect:
    return brief.aspect or "16:9"


def plan_moods(brief: Brief, template: Template) -> list[str]:
    return brief.moods or list(template.default_moods)


def script_size(brief: Brief, template: Template) -> tuple[int, str]:
    """How long the script should be, in the unit its language counts: (n, "characters"|"words")."""
    seconds = plan_length(brief, template)
    if brief.language == "zh":
        return int(seconds * ZH_CHARS_PER_SECOND), "characters"
    return int(seconds * EN_WORDS_PER_SECOND), "words"


def brief_text(brief: Brief, template: Template) -> str:
    """The brief as lines for the script writer's prompt, in the brief's language."""
    zh = brief.language == "zh"
    size, _unit = script_size(brief, template)
    rows: list[tuple[str, str, str | None]] = [
        ("Idea", "创意", brief.idea),
        ("Genre", "类型", GENRE_NAMES[brief.genre][1 if zh else 0]),
        (
            "Characters",
            "角色",
            ("、" if zh else "; ").join(
                _who(c, zh)
                + (
                    " — lead"
                    if c.role == "lead" and not zh
                    else "（主角）"
                    if c.role == "lead"
                    else ""
                )
                for c in brief.characters
            )
            or None,
        ),
        ("Setting", "地点", brief.setting),
        ("Era", "年代", _era_zh(brief.era) if zh else brief.era),
        ("Time of day", "时间", _time_zh(brief.time_of_day) if zh else brief.time_of_day),
        ("What the lead wants", "主线", brief.goal),
        (
            "Mood",
            "基调",
            (
                "、".join(W.MOOD_ZH[m] for m in plan_moods(brief, template))
                if zh
                else ", ".join(plan_moods(brief, template))
            )
            or None,
        ),
        (
            "Audience",
            "观众",
            (_AUDIENCE_ZH[brief.audience] if zh else brief.audience) if brief.audience else None,
        ),
        ("Length", "篇幅", f"{size} 字" if zh else f"{size} words"),
        ("Also", "其他要求", ("；" if zh else "; ").join(brief.notes) or None),
    ]
    lines = [
        f"- {zh_label}：{value}" if zh else f"- {label}: {value}"
        for label, zh_label, value in rows
        if value
    ]
    beats = template.beats_in(brief.language)
    lines.append("- 结构：" if zh else "- Beats:")
    lines += [f"  {k}. {b}" for k, b in enumerate(beats, 1)]
    guidance = template.guidance_in(brief.language)
    if guidance:
        lines.append(f"- 写作要求：{guidance}" if zh else f"- Guidance: {guidance}")
    return "\n".join(lines)


#: The music mood (``storyreel.domain.cues.MOODS``) for each mood a brief may have.
MUSIC_FOR_MOOD = {
    "warm": "calm",
    "dark": "tense",
    "funny": "joyful",
    "sad": "sad",
    "tense": "tense",
    "epic": "epic",
    "mysterious": "mysterious",
    "hopeful": "joyful",
    "calm": "calm",
    "scary": "tense",
    "romantic": "calm",
    "whimsical": "joyful",
}


def plan_music(brief: Brief, template: Template) -> str:
    """The film's music mood: its first mood's, else chosen from the shots (``auto``)."""
    for mood in plan_moods(brief, template):
        if mood in MUSIC_FOR_MOOD:
            return MUSIC_FOR_MOOD[mood]
    return "auto"


def names_of(brief: Brief) -> list[str]:
    """The characters' proper names (a script must keep them), not role nouns ("the robot")."""
    return [c.name for c in brief.characters if not c.name.startswith("the ")]
