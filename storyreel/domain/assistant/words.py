"""The assistant's lexicons: the words (English and Chinese) that name a task, a genre, a mood,
an audience, an era, a time of day, a style or a frame. English entries are matched as whole
words (lower case), Chinese ones as substrings. Order matters where noted: the first match
wins a tie."""

from __future__ import annotations

from storyreel.domain.assistant.model import Aspect, Audience, Genre, Task
from storyreel.domain.text import word_set

# --- task: what to make ----------------------------------------------------------------------

TASK_WORDS: dict[Task, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # (English, Chinese)
    "storyboard": (
        ("storyboard", "storyboards", "shot list", "shot-list", "shots"),
        ("分镜", "故事板", "镜头脚本"),
    ),
    "character": (
        ("character design", "character sheet", "character profile", "design a character"),
        ("角色设定", "人物设定", "人设", "角色设计", "设计一个角色"),
    ),
    "audio": (
        ("voice-over", "voiceover", "narration only", "audio story", "podcast", "audiobook"),
        ("配音", "有声书", "音频", "播客", "广播剧"),
    ),
    "script": (
        ("script", "screenplay", "write a story", "write me a story", "story text"),
        ("剧本", "脚本", "文案", "写一个故事", "写个故事", "故事稿"),
    ),
    "video": (
        ("video", "film", "movie", "short", "clip", "animation", "cartoon", "trailer", "reel"),
        ("视频", "短片", "影片", "电影", "动画", "短视频", "片子", "微电影"),
    ),
}

# --- genre -----------------------------------------------------------------------------------

#: Each cue's weight: a genre's name counts 3, a typical subject 1.
GENRE_WORDS: dict[Genre, tuple[dict[str, int], dict[str, int]]] = {
    "scifi": (
        {
            "sci-fi": 3,
            "scifi": 3,
            "science fiction": 3,
            "cyberpunk": 3,
            "space opera": 3,
            "spaceship": 2,
            "starship": 2,
            "space station": 2,
            "alien": 2,
            "aliens": 2,
            "robot": 1,
            "robots": 1,
            "android": 1,
            "future": 1,
            "futuristic": 2,
            "mars": 1,
            "time machine": 2,
            "galaxy": 2,
            "planet": 1,
            "ai": 1,
            "space": 1,
        },
        {
            "科幻": 3,
            "赛博朋克": 3,
            "太空": 2,
            "飞船": 2,
            "外星": 2,
            "宇宙": 2,
            "空间站": 2,
            "机器人": 1,
            "未来": 1,
            "火星": 1,
            "人工智能": 1,
            "星球": 1,
            "时光机": 2,
        },
    ),
    "fantasy": (
        {
            "fantasy": 3,
            "myth": 3,
            "mythology": 3,
            "legend": 2,
            "magic": 2,
            "magical": 2,
            "wizard": 2,
            "witch": 2,
            "dragon": 2,
            "elf": 2,
            "elves": 2,
            "sorcerer": 2,
            "enchanted": 2,
            "spell": 1,
            "unicorn": 2,
        },
        {
            "奇幻": 3,
            "魔幻": 3,
            "神话": 3,
            "西游": 2,
            "孙悟空": 2,
            "天宫": 2,
            "魔法": 2,
            "巫师": 2,
            "女巫": 2,
            "龙": 1,
            "精灵": 2,
            "仙侠": 3,
            "修仙": 3,
            "神仙": 2,
            "妖怪": 2,
            "法术": 2,
        },
    ),
    "fairy_tale": (
        {
            "fairy tale": 3,
            "fairytale": 3,
            "fable": 3,
            "bedtime story": 3,
            "folk tale": 3,
            "once upon a time": 2,
            "talking animals": 2,
        },
        {"童话": 3, "寓言": 3, "睡前故事": 3, "民间故事": 3, "从前": 1},
    ),
    "mystery": (
        {
            "mystery": 3,
            "detective": 3,
            "whodunit": 3,
            "clue": 2,
            "clues": 2,
            "murder": 2,
            "investigation": 2,
            "thriller": 2,
            "missing": 1,
            "secret": 1,
            "heist": 2,
        },
        {
            "悬疑": 3,
            "侦探": 3,
            "推理": 3,
            "破案": 3,
            "线索": 2,
            "谋杀": 2,
            "失踪": 1,
            "秘密": 1,
            "惊悚": 2,
        },
    ),
    "romance": (
        {
            "romance": 3,
            "romantic": 2,
            "love story": 3,
            "falls in love": 2,
            "first love": 2,
            "wedding": 1,
            "date": 1,
        },
        {"爱情": 3, "恋爱": 3, "浪漫": 2, "初恋": 2, "婚礼": 1, "表白": 2},
    ),
    "comedy": (
        {
            "comedy": 3,
            "funny": 2,
            "hilarious": 2,
            "humor": 2,
            "humour": 2,
            "sitcom": 3,
            "parody": 2,
            "joke": 1,
            "jokes": 1,
        },
        {"喜剧": 3, "搞笑": 3, "幽默": 2, "滑稽": 2, "爆笑": 3, "段子": 2},
    ),
    "horror": (
        {
            "horror": 3,
            "ghost": 2,
            "haunted": 2,
            "zombie": 2,
            "monster": 1,
            "creepy": 2,
            "terrifying": 2,
            "nightmare": 1,
            "vampire": 2,
        },
        {"恐怖": 3, "鬼": 2, "闹鬼": 3, "僵尸": 2, "怪物": 1, "吓人": 2, "惊悚": 1, "噩梦": 1},
    ),
    "adventure": (
        {
            "adventure": 3,
            "quest": 2,
            "journey": 1,
            "treasure": 2,
            "explore": 1,
            "expedition": 2,
            "pirate": 2,
            "pirates": 2,
            "jungle": 1,
        },
        {"冒险": 3, "探险": 3, "寻宝": 3, "宝藏": 2, "旅程": 1, "海盗": 2, "远征": 2},
    ),
    "drama": (
        {
            "drama": 3,
            "family drama": 3,
            "coming of age": 3,
            "grief": 2,
            "friendship": 1,
            "reunion": 2,
            "divorce": 2,
        },
        {"剧情": 3, "亲情": 2, "友情": 1, "成长": 1, "家庭": 1, "重逢": 2, "离别": 2},
    ),
    "history": (
        {
            "historical": 3,
            "history": 3,
            "period piece": 3,
            "dynasty": 2,
            "emperor": 2,
            "ancient": 1,
            "medieval": 1,
            "war": 1,
            "revolution": 1,
        },
        {
            "历史": 3,
            "古装": 3,
            "朝代": 2,
            "皇帝": 2,
            "唐朝": 2,
            "宋朝": 2,
            "明朝": 2,
            "清朝": 2,
            "汉朝": 2,
            "三国": 2,
            "战国": 2,
            "民国": 2,
            "古代": 1,
            "战争": 1,
        },
    ),
    "documentary": (
        {
            "documentary": 3,
            "explainer": 3,
            "explain": 2,
            "how does": 2,
            "how do": 2,
            "educational": 2,
            "tutorial": 2,
            "facts about": 3,
            "science of": 2,
            "introduce": 1,
        },
        {"纪录片": 3, "科普": 3, "讲解": 2, "介绍": 2, "解说": 2, "教程": 2, "原理": 2, "知识": 1},
    ),
}

# --- mood ------------------------------------------------------------------------------------

#: mood → (English words, Chinese words). The mood's own name is one of its English words.
MOOD_WORDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "warm": (
        ("warm", "warmer", "heartwarming", "cozy", "cosy", "tender", "gentle", "sweet"),
        ("温暖", "温馨", "暖心", "治愈", "温柔"),
    ),
    "dark": (
        ("dark", "darker", "grim", "bleak", "gritty", "sinister", "moody", "noir"),
        ("黑暗", "暗黑", "阴暗", "压抑", "阴郁", "沉重"),
    ),
    "funny": (
        (
            "funny",
            "funnier",
            "lighthearted",
            "light-hearted",
            "silly",
            "comic",
            "humorous",
            "playful",
        ),
        ("搞笑", "幽默", "轻松", "诙谐", "俏皮", "逗"),
    ),
    "sad": (
        ("sad", "sadder", "melancholy", "bittersweet", "tragic", "tearjerker", "poignant"),
        ("悲伤", "伤感", "忧伤", "悲剧", "催泪", "心酸"),
    ),
    "tense": (
        ("tense", "tenser", "thrilling", "suspenseful", "gripping", "intense"),
        ("紧张", "刺激", "扣人心弦", "惊险"),
    ),
    "epic": (
        ("epic", "grand", "heroic", "majestic", "sweeping"),
        ("史诗", "宏大", "壮阔", "热血", "磅礴"),
    ),
    "mysterious": (
        ("mysterious", "eerie", "dreamlike", "dreamy", "enigmatic", "spooky"),
        ("神秘", "诡异", "梦幻", "奇异"),
    ),
    "hopeful": (
        ("hopeful", "uplifting", "inspiring", "optimistic", "inspirational"),
        ("希望", "励志", "鼓舞", "乐观", "正能量"),
    ),
    "calm": (
        ("calm", "calmer", "peaceful", "quiet", "serene", "soothing", "relaxing"),
        ("宁静", "平静", "安静", "舒缓", "恬静"),
    ),
    "scary": (
        ("scary", "scarier", "frightening", "creepy", "terrifying", "spine-chilling"),
        ("恐怖", "吓人", "可怕", "毛骨悚然"),
    ),
    "romantic": (("romantic",), ("浪漫",)),
    "whimsical": (
        ("whimsical", "magical", "wondrous", "wonder", "quirky", "cute"),
        ("奇妙", "童趣", "可爱", "萌"),
    ),
}

#: How the Chinese brief names each mood.
MOOD_ZH: dict[str, str] = {mood: zh[0] for mood, (_, zh) in MOOD_WORDS.items()}

#: Moods that pull against each other: asking for both is a question, "make it X" drops the
#: other side.
OPPOSED_MOODS: tuple[tuple[frozenset[str], frozenset[str]], ...] = (
    (
        frozenset({"dark", "scary", "sad", "tense"}),
        frozenset({"warm", "funny", "whimsical", "calm"}),
    ),
    (frozenset({"calm"}), frozenset({"tense", "epic", "scary"})),
)
#: Moods a film for young children should not have.
NOT_FOR_CHILDREN_MOODS = frozenset({"dark", "scary"})
NOT_FOR_CHILDREN_GENRES = frozenset({"horror"})
NOT_FOR_CHILDREN_WORDS = (
    (
        "gore",
        "gory",
        "bloody",
        "blood",
        "violent",
        "violence",
        "murder",
        "brutal",
        "kill",
        "killing",
        "killer",
    ),
    ("血腥", "暴力", "杀人", "谋杀", "残忍", "凶杀"),
)

# --- audience --------------------------------------------------------------------------------

AUDIENCE_WORDS: dict[Audience, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "children": (
        (
            "children",
            "child",
            "kids",
            "kid",
            "toddlers",
            "preschoolers",
            "bedtime",
            "my son",
            "my daughter",
            "little ones",
            "five-year-old",
            "six-year-old",
        ),
        ("儿童", "孩子", "小朋友", "幼儿", "宝宝", "睡前", "小学生", "幼儿园", "少儿"),
    ),
    "teens": (
        ("teens", "teenagers", "teenager", "young adults", "high school", "students"),
        ("青少年", "中学生", "高中生", "初中生", "年轻人", "学生"),
    ),
    "adults": (
        ("adults", "adult", "grown-ups", "grownups", "mature audience", "mature"),
        ("成人", "成年人", "大人"),
    ),
    "family": (("family", "all ages", "everyone"), ("全家", "合家欢", "老少皆宜", "家庭观众")),
}

# --- style (the style presets of storyreel.domain.styles) ------------------------------------

STYLE_WORDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "anime": (
        ("anime", "manga", "ghibli", "japanese animation"),
        ("动漫", "日漫", "二次元", "日系动画"),
    ),
    "watercolor": (("watercolor", "watercolour", "water colour"), ("水彩",)),
    "ink_wash": (
        ("ink wash", "ink painting", "sumi-e", "chinese painting", "brush painting"),
        ("水墨", "国画", "国风水墨", "墨画"),
    ),
    "comic": (
        ("comic", "comics", "comic book", "graphic novel", "pop art"),
        ("美漫", "漫画", "连环画"),
    ),
    "photoreal": (
        (
            "photoreal",
            "photorealistic",
            "realistic",
            "live action",
            "live-action",
            "photographic",
            "documentary style",
        ),
        ("写实", "真实感", "实拍", "照片级", "真人"),
    ),
    "xianxia": (("xianxia", "wuxia", "cultivation"), ("仙侠", "修仙", "武侠", "古风")),
    "childrens_book": (
        (
            "children's book",
            "childrens book",
            "picture book",
            "storybook",
            "picture-book",
            "crayon",
        ),
        ("绘本", "童书", "儿童插画", "蜡笔"),
    ),
    "cinematic": (
        ("cinematic", "film look", "filmic", "blockbuster"),
        ("电影感", "大片", "电影质感"),
    ),
}

# --- frame -----------------------------------------------------------------------------------

ASPECT_WORDS: dict[Aspect, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "9:16": (
        (
            "vertical",
            "portrait",
            "9:16",
            "tiktok",
            "shorts",
            "reels",
            "reel",
            "phone screen",
            "douyin",
        ),
        ("竖屏", "竖版", "竖的", "抖音", "快手", "小红书", "视频号", "9:16"),
    ),
    "16:9": (
        ("landscape", "horizontal", "16:9", "widescreen", "wide screen", "youtube", "tv"),
        ("横屏", "横版", "横的", "宽屏", "b站", "哔哩哔哩", "16:9"),
    ),
    "1:1": (("square", "1:1", "instagram post"), ("方形", "正方形", "方屏", "1:1")),
}

# --- era ---------------------------------------------------------------------------------------

#: era label → (English words, Chinese words).
ERA_WORDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "the far future": (
        ("far future", "year 3000", "distant future", "2500", "3000"),
        ("遥远的未来", "千年以后", "几百年后"),
    ),
    "the near future": (("near future", "future", "futuristic", "tomorrow's"), ("未来", "近未来")),
    "today": (
        ("modern", "modern-day", "present day", "present-day", "today", "contemporary", "nowadays"),
        ("现代", "当代", "如今", "现在", "都市"),
    ),
    "the 1980s": (("1980s", "80s", "eighties"), ("八十年代", "80年代")),
    "the 1920s": (("1920s", "twenties", "roaring twenties", "jazz age"), ("二十年代", "20年代")),
    "Victorian times": (("victorian", "19th century", "nineteenth century"), ("维多利亚",)),
    "the Middle Ages": (("medieval", "middle ages", "knights"), ("中世纪",)),
    "ancient times": (
        ("ancient", "antiquity", "long ago", "olden days"),
        ("古代", "古时候", "远古"),
    ),
    "prehistoric times": (
        ("prehistoric", "stone age", "dinosaurs", "dinosaur", "ice age"),
        ("史前", "石器时代", "恐龙", "冰河时代"),
    ),
    "the Wild West": (("wild west", "western", "cowboy", "cowboys"), ("西部", "牛仔")),
    "the Tang dynasty": (("tang dynasty",), ("唐朝", "大唐", "唐代")),
    "the Song dynasty": (("song dynasty",), ("宋朝", "宋代", "北宋", "南宋")),
    "the Ming dynasty": (("ming dynasty",), ("明朝", "明代")),
    "the Qing dynasty": (("qing dynasty",), ("清朝", "清代", "晚清")),
    "the Han dynasty": (("han dynasty",), ("汉朝", "汉代")),
    "the Three Kingdoms": (("three kingdoms",), ("三国",)),
    "the Republic of China era": (("republican era", "1930s shanghai"), ("民国",)),
}
#: Eras that fit together (a story may travel in time between them only when it says so).
TIME_TRAVEL_WORDS = (
    ("time travel", "time machine", "time-travel", "travels back", "portal"),
    ("穿越", "时光机", "时空"),
)
ERA_ZH: dict[str, str] = {
    "the far future": "遥远的未来",
    "the near future": "近未来",
    "today": "现代",
    "the 1980s": "八十年代",
    "the 1920s": "二十年代",
    "Victorian times": "维多利亚时代",
    "the Middle Ages": "中世纪",
    "ancient times": "古代",
    "prehistoric times": "史前",
    "the Wild West": "美国西部",
    "the Tang dynasty": "唐朝",
    "the Song dynasty": "宋朝",
    "the Ming dynasty": "明朝",
    "the Qing dynasty": "清朝",
    "the Han dynasty": "汉朝",
    "the Three Kingdoms": "三国",
    "the Republic of China era": "民国",
}

# --- time of day -------------------------------------------------------------------------------

TIME_WORDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "dawn": (("dawn", "sunrise", "daybreak", "first light"), ("黎明", "拂晓", "日出", "破晓")),
    "morning": (("morning", "mornings"), ("早晨", "清晨", "上午", "早上")),
    "noon": (("noon", "midday"), ("中午", "正午")),
    "afternoon": (("afternoon",), ("下午", "午后")),
    "evening": (
        ("evening", "sunset", "dusk", "twilight", "golden hour"),
        ("傍晚", "黄昏", "夕阳", "日落", "晚上"),
    ),
    "night": (
        ("night", "nighttime", "midnight", "moonlit", "starry"),
        ("夜晚", "夜里", "深夜", "午夜", "半夜", "夜间", "月夜", "星空"),
    ),
}
TIME_ZH: dict[str, str] = {
    "dawn": "黎明",
    "morning": "早晨",
    "noon": "中午",
    "afternoon": "下午",
    "evening": "傍晚",
    "night": "夜晚",
}

# --- settings the place lexicon lacks ----------------------------------------------------------

#: Named worlds and places a request may set a story in ("on Mars", "在月球上").
EN_WORLDS = (
    "mars",
    "the moon",
    "moon",
    "space",
    "outer space",
    "a space station",
    "space station",
    "the ocean",
    "under the sea",
    "underwater",
    "the jungle",
    "the desert",
    "the arctic",
    "antarctica",
    "paris",
    "london",
    "new york",
    "tokyo",
    "beijing",
    "shanghai",
    "venice",
    "a spaceship",
    "a starship",
    "a submarine",
    "a small town",
    "a big city",
    "the city",
)
ZH_WORLDS = (
    "火星",
    "月球",
    "月亮上",
    "太空",
    "外太空",
    "空间站",
    "宇宙飞船",
    "飞船",
    "海底",
    "深海",
    "丛林",
    "沙漠",
    "北极",
    "南极",
    "巴黎",
    "伦敦",
    "纽约",
    "东京",
    "北京",
    "上海",
    "长安",
    "江南",
    "小镇",
    "城市",
    "山村",
    "村庄",
    "古镇",
    "潜艇",
    "天宫",
    "仙界",
    "魔法学院",
)

# --- refinement --------------------------------------------------------------------------------

EN_ADD = ("add", "include", "put in", "bring in", "introduce", "give him", "give her")
ZH_ADD = ("加一", "加个", "加上", "增加", "添加", "添一", "再加", "加入", "多一")
EN_REMOVE = (
    "remove",
    "drop",
    "take out",
    "get rid of",
    "without",
    "no more",
    "cut the",
    "delete",
    "lose the",
)
ZH_REMOVE = ("去掉", "删掉", "删除", "不要", "拿掉", "别要", "去除", "取消")
EN_SHORTER = ("shorter", "too long", "trim it", "cut it down", "tighter")
ZH_SHORTER = ("短一点", "短一些", "缩短", "太长", "短点", "精简")
EN_LONGER = ("longer", "too short", "extend it", "make it long")
ZH_LONGER = ("长一点", "长一些", "加长", "太短", "长点", "延长")
EN_RENAME = ("call the", "name the", "rename the")
ZH_RENAME = ("改名", "叫做", "名叫", "名字叫", "就叫")
LANGUAGE_WORDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "en": (("in english", "english version", "english narration"), ("英文", "英语")),
    "zh": (
        ("in chinese", "in mandarin", "chinese version", "chinese narration"),
        ("中文", "汉语", "普通话", "国语"),
    ),
}
#: A message that only says yes/ok carries nothing to change.
ACKNOWLEDGEMENTS = (
    "ok",
    "okay",
    "yes",
    "sure",
    "fine",
    "good",
    "great",
    "thanks",
    "thank you",
    "sounds good",
    "好",
    "好的",
    "可以",
    "行",
    "没问题",
    "谢谢",
    "对",
    "嗯",
)

# --- nouns the story lexicon (storyreel.domain.lexicon) lacks -------------------------------

EN_EXTRA_ANIMALS = word_set(
    "penguin panda octopus chicken dinosaur shark koala kangaroo giraffe zebra hedgehog "
    "otter beaver raccoon hamster parrot seal walrus camel llama snail ant"
)
EN_EXTRA_PLACES = word_set(
    "zoo circus lab laboratory spaceship starship station aquarium observatory theater "
    "theatre stadium airport subway bakery cafe restaurant hotel temple palace"
)
#: Nouns after "in a"/"at the" that are not places ("in a hurry", "at the end").
EN_NOT_PLACES = word_set(
    "hurry way end beginning start middle moment time style voice minute second row sense mood "
    "tone story film video script version language word words morning evening night afternoon "
    "day week year dream nutshell bit lot few couple nutshell kind sort"
)
