"""The brief's quality check: what is missing (and asked about), what was assumed (and can be
changed), and what contradicts itself (and must be decided). Each issue carries the question to
ask, in the brief's language; the order is the order to ask in."""

from __future__ import annotations

from collections.abc import Sequence

from storyreel.domain.assistant import words as W
from storyreel.domain.assistant.model import Brief, Issue
from storyreel.domain.assistant.read import mentions_time_travel, not_for_children_words
from storyreel.domain.assistant.templates import Template
from storyreel.domain.styles import get_style

#: Seconds per character a film can give a real part (fewer and the cast is a crowd).
SECONDS_PER_CHARACTER = 12.0
GENRE_NAMES = {
    "general": ("a short film", "短片"),
    "scifi": ("science fiction", "科幻"),
    "fantasy": ("fantasy", "奇幻"),
    "fairy_tale": ("a fairy tale", "童话"),
    "mystery": ("a mystery", "悬疑"),
    "romance": ("a love story", "爱情"),
    "comedy": ("a comedy", "喜剧"),
    "horror": ("horror", "恐怖"),
    "adventure": ("an adventure", "冒险"),
    "drama": ("a drama", "剧情"),
    "history": ("a historical story", "历史"),
    "documentary": ("an explainer", "科普"),
}

_QUESTIONS: dict[str, tuple[str, str, str, str]] = {
    # field: (message en, question en, message zh, question zh)
    "characters": (
        "No one is named to follow.",
        "Who is the story about? A name and a few words about them is enough.",
        "还没有主角。",
        "故事的主角是谁？给个名字和几句描述就行。",
    ),
    "setting": (
        "The story has no place yet.",
        "Where does it happen?",
        "还没有故事发生的地点。",
        "故事发生在哪里？",
    ),
    "goal": (
        "What the lead wants (or what the film explains) is not said.",
        "What does the lead want, and what stands in the way?",
        "还没有说主角想要什么（或这部片子讲解什么）。",
        "主角想要什么？是什么阻碍了他？",
    ),
    "era": (
        "The era is not said.",
        "When does it take place (an era, a dynasty, a year)?",
        "还没有说故事的年代。",
        "故事发生在什么年代（朝代、年份）？",
    ),
    "audience": (
        "Who the film is for is not said.",
        "Who will watch it: children, teens, adults or the whole family?",
        "还没有说给谁看。",
        "给谁看：小朋友、青少年、成年人，还是全家？",
    ),
    "moods": (
        "The mood is not said.",
        "What should it feel like: warm, funny, tense, sad, epic…?",
        "还没有说想要的基调。",
        "想要什么感觉：温暖、搞笑、紧张、伤感、史诗……？",
    ),
    "length_s": (
        "The length is not said.",
        "How long should the film be?",
        "还没有说片长。",
        "片子要多长？",
    ),
}


def _zh(brief: Brief) -> bool:
    return brief.language == "zh"


def missing(brief: Brief, field: str) -> Issue:
    en_msg, en_q, zh_msg, zh_q = _QUESTIONS[field]
    return Issue(
        kind="missing",
        field=field,
        message=zh_msg if _zh(brief) else en_msg,
        question=zh_q if _zh(brief) else en_q,
    )


def _has(brief: Brief, field: str) -> bool:
    value = getattr(brief, field)
    return bool(value) if isinstance(value, list) else value is not None


def check_brief(brief: Brief, template: Template, *, said: str = "") -> list[Issue]:
    """What is wrong with ``brief`` for ``template``; ``said`` is everything the person wrote
    (words a brief does not keep, such as "gory", are checked in it)."""
    zh = _zh(brief)
    issues: list[Issue] = []
    issues += _contradictions(brief, said)
    for field in template.required:
        if not _has(brief, field):
            issues.append(missing(brief, field))
    if brief.length_s is None:
        seconds = int(template.default_length_s)
        issues.append(
            Issue(
                kind="assumed",
                field="length_s",
                message=f"片长按 {seconds} 秒计划。" if zh else f"Planned for {seconds} seconds.",
                question="要更长或更短吗？" if zh else "Longer or shorter?",
            )
        )
    if brief.style is None:
        style = get_style(plan_style(brief, template))
        issues.append(
            Issue(
                kind="assumed",
                field="style",
                message=f"画面风格：{style.label_zh}。"
                if zh
                else f"Pictures in the {style.label} style.",
                question="想换一种画风吗？" if zh else "Another picture style?",
            )
        )
    if brief.aspect is None:
        issues.append(
            Issue(
                kind="assumed",
                field="aspect",
                message="画面按横屏 16:9。" if zh else "Framed landscape, 16:9.",
                question="要竖屏（9:16）发抖音或短视频吗？"
                if zh
                else "Vertical (9:16) for TikTok, Shorts or Reels instead?",
            )
        )
    return issues


def plan_style(brief: Brief, template: Template) -> str:
    """The picture style: the brief's, else a picture-book look for children when the template
    would film it, else the template's."""
    if brief.style:
        return brief.style
    if brief.audience == "children" and template.default_style in ("photoreal", "cinematic"):
        return "childrens_book"
    return template.default_style


def _contradictions(brief: Brief, said: str) -> list[Issue]:
    zh = _zh(brief)
    out: list[Issue] = []
    if brief.audience == "children":
        harsh = sorted(set(brief.moods) & W.NOT_FOR_CHILDREN_MOODS)
        if brief.genre in W.NOT_FOR_CHILDREN_GENRES:
            harsh.insert(0, GENRE_NAMES[brief.genre][1 if zh else 0])
        harsh += not_for_children_words(said)
        if harsh:
            what = "、".join(harsh) if zh else ", ".join(harsh)
            out.append(
                Issue(
                    kind="contradiction",
                    field="audience",
                    message=f"给小朋友看，但要求了“{what}”。"
                    if zh
                    else f"It is for children, but asks for {what}.",
                    question="是改成适合孩子的温和版本，还是改成给大人看？"
                    if zh
                    else "Keep it gentle enough for children, or make it for adults?",
                )
            )
    for side_a, side_b in W.OPPOSED_MOODS:
        a, b = sorted(set(brief.moods) & side_a), sorted(set(brief.moods) & side_b)
        if a and b:
            out.append(
                Issue(
                    kind="contradiction",
                    field="moods",
                    message=f"基调既要{'、'.join(a)}又要{'、'.join(b)}。"
                    if zh
                    else f"The mood is both {', '.join(a)} and {', '.join(b)}.",
                    question="以哪种为主？" if zh else "Which should lead?",
                )
            )
            break
    if brief.length_s is not None:
        cast = len(brief.characters)
        if cast > 1 and brief.length_s / cast < SECONDS_PER_CHARACTER:
            seconds = int(brief.length_s)
            out.append(
                Issue(
                    kind="contradiction",
                    field="characters",
                    message=f"{seconds} 秒容不下 {cast} 个角色。"
                    if zh
                    else f"{seconds} seconds is too short for {cast} characters.",
                    question="去掉几个角色，还是把片子加长？"
                    if zh
                    else "Drop some characters, or make the film longer?",
                )
            )
    return out


def era_conflict(eras: list[str], said: str, language: str) -> Issue | None:
    """Two eras in one request, without time travel to join them."""
    if len(eras) < 2 or mentions_time_travel(said):
        return None
    zh = language == "zh"
    names = [W.ERA_ZH.get(e, e) for e in eras[:2]] if zh else eras[:2]
    return Issue(
        kind="contradiction",
        field="era",
        message=f"同时提到了{names[0]}和{names[1]}。"
        if zh
        else f"Both {names[0]} and {names[1]} are named.",
        question="故事发生在哪个年代？如果是穿越，请说明。"
        if zh
        else "Which era is it set in? If it is time travel, say so.",
    )


def aspect_conflict(aspects: Sequence[str], language: str) -> Issue | None:
    if len(aspects) < 2:
        return None
    zh = language == "zh"
    return Issue(
        kind="contradiction",
        field="aspect",
        message=f"同时要求了 {aspects[0]} 和 {aspects[1]}。"
        if zh
        else f"Both {aspects[0]} and {aspects[1]} framing are asked for.",
        question="要竖屏还是横屏？" if zh else "Vertical or landscape?",
    )
