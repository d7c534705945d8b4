"""Stories nobody here wrote the rules for, shared by the tests of the entity extraction and
the offline storyboard writer."""

EN1 = (
    "Every night, old Tomas worked at the bench in his clock shop. The shop smelled of oil and "
    "brass, and its walls ticked a little. One winter evening a red fox slipped in through the "
    "back door, shaking snow from its fur. The fox watched him with bright eyes. Tomas gave it "
    "a piece of bread. After that, the fox came back every night and slept by the warm stove "
    "while he worked. In spring, Tomas opened the door wide and the fox ran out into the green "
    "hills."
)
ZH1 = (
    "清晨，白鹤落在村口的池塘边。小女孩阿月提着水桶来打水，看见白鹤正低头喝水。她放轻脚步，"
    "蹲在芦苇后面看它。傍晚，阿月又来到池塘，白鹤已经飞走了，只留下一根白色的羽毛。夜里，"
    "她把羽毛放在窗台上，月光照着它。"
)
# A keeper and a fisherman: roles said in appositives, and two places told in turn.
EN_KEEPER = (
    "The lighthouse keeper, Ada, climbed the stairs every evening to light the lamp. One stormy "
    "night a fisherman's boat drifted toward the rocks. Ada saw it from the lantern room and "
    "swung the light toward the harbour. The fisherman, Tom, reached the shore safely. In the "
    "morning he brought her fresh fish, and they ate breakfast together in her kitchen."
)
ZH_KEEPER = (
    "老渔夫阿福每天清晨都出海打鱼。一天傍晚，海上起了大风，阿福的小船被吹到了礁石边。"
    "钟表匠老周在灯塔上看见了，连忙点亮了灯。阿福顺着灯光回到了港口。第二天早上，阿福带着一条"
    "大鱼来到老周的店里，两个人在他的店里吃了早饭。"
)
# The same night in two places, the story cutting from one to the other and back.
EN_TWO_PLACES = (
    "At dusk the fisherman, Tom, rowed out onto the sea to cast his nets before the storm. High "
    "above the harbour, the lighthouse keeper, Ada, climbed the stairs to the lantern room and lit "
    "the great lamp. Tom hauled in his heavy nets and counted the silver fish one by one. Ada "
    "watched his little boat from the window and kept the light burning all night."
)
ZH_TWO_PLACES = (
    "傍晚，老渔夫阿福把小船划到了海上，在风浪里撒下了渔网。镇上的钟表匠老周爬上灯塔，在灯塔顶上"
    "点亮了那盏大灯。阿福在风浪里一网一网地把鱼拉上来，数着银色的小鱼，脸上露出了笑容。老周一直"
    "守着那盏灯，直到天亮。"
)
