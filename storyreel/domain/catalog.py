"""What pickers show besides the style presets: music moods in English and Chinese, and the
sentence a voice speaks when it is tried out."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MoodLabel:
    label: str
    label_zh: str
    description: str
    description_zh: str


# "auto" and "none" are what a project's ``music`` accepts besides a provider's moods.
MOOD_LABELS: dict[str, MoodLabel] = {
    "auto": MoodLabel(
        "Automatic", "自动", "Chosen from the shots' moods.", "根据分镜的情绪自动选择。"
    ),
    "none": MoodLabel("No music", "无音乐", "Narration only.", "只有旁白。"),
    "calm": MoodLabel("Calm", "平静", "Slow, soft and warm.", "舒缓、柔和、温暖。"),
    "joyful": MoodLabel("Joyful", "欢快", "Bright, bouncing and upbeat.", "明亮、轻快、活泼。"),
    "sad": MoodLabel("Sad", "悲伤", "Slow, dark and wide.", "缓慢、低沉、空旷。"),
    "tense": MoodLabel(
        "Tense", "紧张", "A drone, pulses and a nervous ostinato.", "持续低音与急促的节奏。"
    ),
    "epic": MoodLabel("Epic", "史诗", "Brass, strings and timpani.", "铜管、弦乐与定音鼓。"),
    "mysterious": MoodLabel(
        "Mysterious",
        "神秘",
        "Sparse bells over a drone, a long hall.",
        "空灵的钟声与低鸣，悠长回响。",
    ),
}


def mood_label(mood: str) -> MoodLabel:
    """The labels of ``mood``; a mood only a plugin knows is shown by its name."""
    known = MOOD_LABELS.get(mood)
    if known is not None:
        return known
    name = mood.replace("_", " ").replace("-", " ").strip().capitalize() or mood
    return MoodLabel(name, name, "", "")


# Languages whose voices speak the Chinese sample (eSpeak's codes for Chinese languages).
_CHINESE = ("zh", "cmn", "yue", "hak", "nan", "wuu")

SAMPLE_SENTENCES: dict[str, str] = {
    "zh": "你好，我会用这个声音为你讲述故事。",
    "en": "Hello! This is the voice that will tell your story.",
    "ja": "こんにちは。この声であなたの物語を語ります。",
    "ko": "안녕하세요. 이 목소리로 당신의 이야기를 들려드릴게요.",
    "fr": "Bonjour ! C'est avec cette voix que je raconterai votre histoire.",
    "de": "Hallo! Mit dieser Stimme erzähle ich deine Geschichte.",
    "es": "¡Hola! Esta es la voz que contará tu historia.",
    "it": "Ciao! Questa è la voce che racconterà la tua storia.",
    "pt": "Olá! Esta é a voz que vai contar a sua história.",
    "ru": "Здравствуйте! Этим голосом я расскажу вашу историю.",
}


def language_family(code: str) -> str:
    """'cmn', 'zh-yue' → 'zh'; 'en-gb-scotland' → 'en': the language a voice code belongs to."""
    base = code.strip().lower().split("-")[0]
    return "zh" if base in _CHINESE else base


def sample_sentence(language: str) -> str:
    """A short line for trying out a voice of ``language`` (English when there is none)."""
    return SAMPLE_SENTENCES.get(language_family(language), SAMPLE_SENTENCES["en"])
