"""Word tables for finding beings, places and times in stories (English and Chinese).

Small, readable and deterministic: a story's entities come from these tables and a few
patterns (``storyreel.domain.entities``), never from a model. Each table row is one word with
what the storyboard needs to know about it: kind and gender of a being, indoor or outdoor for a
place, and an English gloss so a Chinese story's prompts still say what to draw.
"""

from __future__ import annotations

from typing import Literal

Gender = Literal["he", "she", "it", ""]
Kind = Literal["person", "animal"]


def _rows(text: str) -> list[list[str]]:
    return [line.split() for line in text.strip().splitlines() if line.strip()]


# --- beings ----------------------------------------------------------------------------------

# English: noun, kind, gender ("-" when either).
_EN_BEINGS = """
man person he
woman person she
boy person he
girl person she
child person -
kid person -
baby person -
lady person she
gentleman person he
stranger person -
king person he
queen person she
prince person he
princess person she
knight person he
soldier person he
sailor person he
fisherman person he
farmer person -
baker person -
tailor person -
hunter person he
shepherd person -
merchant person -
monk person he
nun person she
priest person he
witch person she
wizard person he
giant person -
dwarf person -
elf person -
fairy person she
ghost person -
robot person -
teacher person -
doctor person -
nurse person -
clockmaker person he
shopkeeper person -
innkeeper person -
woodcutter person he
miller person he
beggar person -
traveler person -
traveller person -
grandmother person she
grandfather person he
grandma person she
grandpa person he
mother person she
father person he
mom person she
dad person he
uncle person he
aunt person she
widow person she
wife person she
husband person he
son person he
daughter person she
brother person he
sister person she
neighbor person -
neighbour person -
keeper person -
watchman person he
guard person -
captain person -
carpenter person he
blacksmith person he
potter person -
weaver person -
painter person -
poet person -
musician person -
cook person -
maid person she
servant person -
gardener person -
postman person he
student person -
scholar person -
peddler person -
fox animal it
wolf animal it
bear animal it
cat animal it
kitten animal it
dog animal it
puppy animal it
bird animal it
crane animal it
heron animal it
owl animal it
crow animal it
raven animal it
sparrow animal it
swallow animal it
eagle animal it
hawk animal it
swan animal it
duck animal it
goose animal it
hen animal it
rooster animal it
rabbit animal it
hare animal it
deer animal it
fawn animal it
horse animal it
pony animal it
donkey animal it
cow animal it
goat animal it
sheep animal it
lamb animal it
pig animal it
mouse animal it
rat animal it
squirrel animal it
hedgehog animal it
badger animal it
otter animal it
frog animal it
toad animal it
turtle animal it
tortoise animal it
snake animal it
fish animal it
whale animal it
dolphin animal it
seal animal it
dragon animal it
unicorn animal it
tiger animal it
lion animal it
elephant animal it
monkey animal it
butterfly animal it
bee animal it
"""

# Chinese: noun, kind, gender, English gloss (words joined by "_").
_ZH_BEINGS = """
老人 person - old_person
老头 person he old_man
老爷爷 person he old_man
老奶奶 person she old_woman
老太太 person she old_woman
老婆婆 person she old_woman
小女孩 person she little_girl
小男孩 person he little_boy
女孩 person she girl
男孩 person he boy
小孩 person - child
孩子 person - child
姑娘 person she young_woman
少年 person he youth
少女 person she young_girl
男人 person he man
女人 person she woman
妇人 person she woman
书生 person he scholar
和尚 person he monk
小和尚 person he young_monk
老和尚 person he old_monk
渔夫 person he fisherman
樵夫 person he woodcutter
农夫 person he farmer
猎人 person he hunter
商人 person - merchant
国王 person he king
王后 person she queen
公主 person she princess
王子 person he prince
士兵 person he soldier
将军 person he general
老师 person - teacher
医生 person - doctor
镇长 person - mayor
村长 person - village_head
师傅 person he master_craftsman
木匠 person he carpenter
铁匠 person he blacksmith
钟表匠 person he clockmaker
鞋匠 person he shoemaker
石匠 person he stonemason
花匠 person he gardener
园丁 person - gardener
裁缝 person - tailor
厨师 person - cook
面包师 person - baker
画家 person - painter
诗人 person - poet
船长 person he captain
船夫 person he boatman
水手 person he sailor
渔民 person he fisherman
牧羊人 person - shepherd
牧童 person he cowherd_boy
守灯人 person - lighthouse_keeper
看门人 person - gatekeeper
店主 person - shopkeeper
掌柜 person he shopkeeper
小贩 person - peddler
邮递员 person - postman
警察 person - police_officer
司机 person - driver
护士 person she nurse
学生 person - student
邻居 person - neighbour
同学 person - classmate
同桌 person - deskmate
妻子 person she wife
丈夫 person he husband
儿子 person he son
孙子 person he grandson
孙女 person she granddaughter
女儿 person she daughter
陌生人 person - stranger
妈妈 person she mother
爸爸 person he father
母亲 person she mother
父亲 person he father
奶奶 person she grandmother
爷爷 person he grandfather
外婆 person she grandmother
外公 person he grandfather
姥姥 person she grandmother
哥哥 person he elder_brother
姐姐 person she elder_sister
弟弟 person he younger_brother
妹妹 person she younger_sister
狐狸 animal it fox
白鹤 animal it white_crane
仙鹤 animal it crane
丹顶鹤 animal it red-crowned_crane
燕子 animal it swallow
麻雀 animal it sparrow
乌鸦 animal it crow
喜鹊 animal it magpie
老鹰 animal it eagle
猫头鹰 animal it owl
天鹅 animal it swan
鸭子 animal it duck
兔子 animal it rabbit
白兔 animal it white_rabbit
小白兔 animal it little_white_rabbit
鹿 animal it deer
小鹿 animal it fawn
马 animal it horse
小马 animal it pony
牛 animal it ox
老牛 animal it old_ox
羊 animal it sheep
小羊 animal it lamb
猪 animal it pig
猫 animal it cat
小猫 animal it kitten
狗 animal it dog
小狗 animal it puppy
狼 animal it wolf
熊 animal it bear
老虎 animal it tiger
狮子 animal it lion
大象 animal it elephant
猴子 animal it monkey
松鼠 animal it squirrel
刺猬 animal it hedgehog
老鼠 animal it mouse
青蛙 animal it frog
乌龟 animal it turtle
蛇 animal it snake
鱼 animal it fish
金鱼 animal it goldfish
鲤鱼 animal it carp
鲸鱼 animal it whale
龙 animal it dragon
蝴蝶 animal it butterfly
小鸟 animal it little_bird
鸟 animal it bird
鹤 animal it crane
"""

#: One-character Chinese beings are words only after a measure word ("一只猫") or a modifier.
ZH_SINGLE_BEING_BEFORE = frozenset("只头匹条尾")


class BeingWord:
    """A noun for a being: its kind, default gender and an English gloss."""

    __slots__ = ("gender", "gloss", "kind", "word")

    def __init__(self, word: str, kind: Kind, gender: Gender, gloss: str) -> None:
        self.word, self.kind, self.gender, self.gloss = word, kind, gender, gloss


def _being(word: str, kind: str, gender: str, gloss: str) -> BeingWord:
    return BeingWord(
        word,
        "animal" if kind == "animal" else "person",
        gender if gender in ("he", "she", "it") else "",  # type: ignore[arg-type]
        gloss.replace("_", " "),
    )


EN_BEINGS: dict[str, BeingWord] = {
    row[0]: _being(row[0], row[1], row[2], row[0]) for row in _rows(_EN_BEINGS)
}
ZH_BEINGS: dict[str, BeingWord] = {
    row[0]: _being(row[0], row[1], row[2], row[3]) for row in _rows(_ZH_BEINGS)
}

# --- looks -----------------------------------------------------------------------------------

#: English adjectives that describe how a being looks, by category (one value per category).
EN_LOOK_WORDS: dict[str, str] = {
    **dict.fromkeys(
        [
            "small",
            "little",
            "tiny",
            "big",
            "large",
            "huge",
            "tall",
            "short",
            "thin",
            "fat",
            "plump",
            "skinny",
            "giant",
        ],
        "size",
    ),
    **dict.fromkeys(["old", "young", "elderly", "aged"], "age"),
    **dict.fromkeys(
        [
            "red",
            "white",
            "black",
            "grey",
            "gray",
            "brown",
            "golden",
            "silver",
            "blue",
            "green",
            "yellow",
            "orange",
            "pink",
            "purple",
            "spotted",
            "striped",
            "ginger",
            "tawny",
            "snowy",
        ],
        "colour",
    ),
    **dict.fromkeys(
        [
            "bearded",
            "hunchbacked",
            "ragged",
            "shabby",
            "lame",
            "blind",
            "wise",
            "kind",
            "gentle",
            "shy",
            "lonely",
            "clever",
            "wild",
            "fierce",
            "proud",
            "poor",
            "rich",
            "beautiful",
            "pretty",
            "ugly",
            "curious",
            "hungry",
            "tired",
        ],
        "other",
    ),
}
#: Words of one category that mean the same ("small" fox and "little" fox are one fox).
EN_LOOK_SYNONYMS: dict[str, str] = {
    "little": "small",
    "tiny": "small",
    "large": "big",
    "huge": "big",
    "giant": "big",
    "elderly": "old",
    "aged": "old",
    "gray": "grey",
}
EN_LOOK_ORDER = ("other", "size", "age", "colour")
#: What a being wears or carries that a picture should keep: "in a blue coat", "wearing a hat".
EN_CLOTHING = frozenset(
    [
        "coat",
        "cloak",
        "dress",
        "hat",
        "cap",
        "scarf",
        "jacket",
        "shirt",
        "robe",
        "apron",
        "boots",
        "shoes",
        "uniform",
        "sweater",
        "gown",
        "hood",
        "shawl",
        "vest",
        "overalls",
        "trousers",
        "skirt",
        "kimono",
        "glasses",
        "spectacles",
        "beard",
    ]
)

#: Chinese look characters and their glosses, by category.
ZH_LOOK_CHARS: dict[str, tuple[str, str]] = {
    "小": ("size", "small"),
    "大": ("size", "big"),
    "胖": ("size", "plump"),
    "瘦": ("size", "thin"),
    "老": ("age", "old"),
    "红": ("colour", "red"),
    "白": ("colour", "white"),
    "黑": ("colour", "black"),
    "灰": ("colour", "grey"),
    "黄": ("colour", "yellow"),
    "金": ("colour", "golden"),
    "蓝": ("colour", "blue"),
    "绿": ("colour", "green"),
    "棕": ("colour", "brown"),
    "褐": ("colour", "brown"),
    "花": ("colour", "spotted"),
}
ZH_CLOTHING_CHARS = frozenset("衣裙袍褂衫袄帽鞋服巾")

# --- places ----------------------------------------------------------------------------------

# English: noun, where ("in" indoor, "out" outdoor, "bld" a building: indoor unless seen from
# outside, "spot" a thing in a room, "edge" a spot that may be either side, like a door).
_EN_PLACES = """
shop in
workshop in
store in
kitchen in
room in
bedroom in
classroom in
parlor in
parlour in
study in
attic in
bathroom in
cellar in
basement in
hall in
library in
bakery in
office in
studio in
inn bld
tavern bld
cafe bld
restaurant bld
hospital bld
museum bld
school bld
church bld
temple bld
castle bld
palace bld
tower bld
lighthouse bld
house bld
home bld
cottage bld
cabin bld
hut bld
barn bld
stable bld
mill bld
cave in
tent in
forest out
woods out
hill out
hills out
mountain out
mountains out
valley out
meadow out
field out
fields out
beach out
shore out
sea out
ocean out
water out
river out
riverbank out
stream out
lake out
pond out
street out
streets out
road out
path out
lane out
alley out
square out
market out
garden out
yard out
courtyard out
park out
village out
town out
city out
harbor out
harbour out
pier out
dock out
bridge out
desert out
island out
cliff out
cliffs out
rock out
rocks out
reef out
boat out
deck out
porch out
balcony out
sky out
farm out
orchard out
jungle out
swamp out
marsh out
glade out
clearing out
camp out
playground out
graveyard out
cemetery out
snow out
bench spot
workbench spot
stove spot
fireplace spot
hearth spot
fire spot
table spot
desk spot
window spot
windowsill spot
sill spot
bed spot
counter spot
shelf spot
door edge
doorway edge
gate edge
"""

# Chinese: noun, where (as above), English gloss.
_ZH_PLACES = """
屋 in room
屋里 in room
屋子 in room
房间 in room
小屋 bld hut
木屋 bld cabin
茅屋 bld thatched_hut
房子 bld house
家 bld home
家里 in home
厨房 in kitchen
卧室 in bedroom
客厅 in living_room
书房 in study
教室 in classroom
班上 in classroom
课堂 in classroom
阁楼 in attic
地下室 in cellar
二楼 in upstairs_room
楼上 in upstairs
楼下 in downstairs
店 bld shop
店里 in shop
店铺 bld shop
商店 bld shop
铺子 bld shop
工坊 in workshop
作坊 in workshop
车间 in workshop
工作室 in studio
图书馆 bld library
医院 bld hospital
学校 bld school
寺庙 bld temple
庙 bld temple
寺 bld temple
宫殿 bld palace
大殿 in hall
灯塔 bld lighthouse
酒馆 bld tavern
客栈 bld inn
饭店 bld restaurant
仓库 in storehouse
山洞 in cave
洞穴 in cave
森林 out forest
树林 out woods
林子 out woods
竹林 out bamboo_grove
山 out mountain
山上 out mountainside
山顶 out mountaintop
山坡 out hillside
山谷 out valley
山路 out mountain_path
河 out river
河边 out riverbank
小河 out stream
溪边 out stream_bank
湖 out lake
湖边 out lakeshore
海 out sea
海边 out seaside
大海 out sea
海上 out sea
海岸 out coast
沙滩 out beach
礁石 out rocks
岸上 out shore
海面 out sea
船上 out boat
甲板 out deck
阳台 out balcony
海滩 out beach
岸边 out shore
码头 out pier
港口 out harbor
池塘 out pond
田野 out fields
田地 out fields
麦田 out wheat_field
稻田 out rice_paddy
草地 out meadow
草原 out grassland
花园 out garden
院子 out courtyard
庭院 out courtyard
菜园 out vegetable_garden
果园 out orchard
村口 out village_entrance
村子 out village
村庄 out village
小镇 out small_town
镇上 out town
城里 out city
街 out street
街道 out street
街上 out street
小路 out path
大路 out road
马路 out road
桥 out bridge
广场 out square
操场 out playground
雪地 out snowfield
沙漠 out desert
天空 out sky
悬崖 out cliff
瀑布 out waterfall
井边 out well
窗台 spot windowsill
桌子 spot table
桌 spot table
书桌 spot desk
床 spot bed
床上 spot bed
炉子 spot stove
火炉 spot stove
灶台 spot stove
壁炉 spot fireplace
工作台 spot workbench
柜台 spot counter
门口 edge doorway
门 edge door
"""

Where = Literal["in", "out", "bld", "spot", "edge"]


class PlaceWord:
    """A noun for a place: where it is (see the table) and an English gloss."""

    __slots__ = ("gloss", "where", "word")

    def __init__(self, word: str, where: str, gloss: str) -> None:
        self.word = word
        self.where: Where = where  # type: ignore[assignment]
        self.gloss = gloss.replace("_", " ")


EN_PLACES: dict[str, PlaceWord] = {r[0]: PlaceWord(r[0], r[1], r[0]) for r in _rows(_EN_PLACES)}
ZH_PLACES: dict[str, PlaceWord] = {r[0]: PlaceWord(r[0], r[1], r[2]) for r in _rows(_ZH_PLACES)}

# --- time ------------------------------------------------------------------------------------

#: Things that are lit or seen only at night when nothing else says what time it is.
EN_NIGHT_THINGS = frozenset(
    [
        "lamp",
        "lamps",
        "lamplight",
        "lantern",
        "lanterns",
        "candle",
        "candles",
        "candlelight",
        "fireflies",
    ]
)
ZH_NIGHT_THINGS = ("油灯", "灯笼", "蜡烛", "烛光", "灯光", "台灯", "点灯", "灯下")
EN_SEASONS: dict[str, str] = {
    "spring": "spring",
    "springtime": "spring",
    "summer": "summer",
    "autumn": "autumn",
    "fall": "autumn",
    "winter": "winter",
}
ZH_SEASONS: dict[str, str] = {
    "春天": "spring",
    "开春": "spring",
    "夏天": "summer",
    "盛夏": "summer",
    "秋天": "autumn",
    "深秋": "autumn",
    "冬天": "winter",
    "寒冬": "winter",
    "隆冬": "winter",
}
