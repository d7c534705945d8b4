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
