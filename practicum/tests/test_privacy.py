"""The children's-data guard (lms.child_privacy) on practicum text, through practicum.privacy."""

import pytest
from django.core.exceptions import ValidationError

from practicum.privacy import check_text, find_identifying_data

IDENTIFYING = [
    ("今天辅导的学生王小明情绪低落，多次哭泣。", "name"),
    ("孩子叫李浩然，今年9岁，父母外出打工，由奶奶照顾。", "name"),
    ("张欣怡小朋友在活动中主动分享了自己的烦恼。", "name"),
    ("同学刘子涵在分享环节哭了，活动后单独谈话。", "name"),
    ("小朋友欧阳子轩不愿意参加游戏。", "name"),
    ("李浩然这个孩子很内向，需要更多鼓励。", "name"),
    ("王同学今天表现很好。", "name"),
    ("个案：学生阿依古丽，10岁，父亲去世。", "name"),
    ("孩子的名字是艾力，他很喜欢画画。", "name"),
    ("和阿依古丽·买买提的奶奶沟通了孩子的作息。", "name"),
    ("家长电话13912345678，约定下周回访。", "mobile"),
    ("家长电话 139 1234 5678，约定下周回访。", "mobile"),
    ("孩子手机号：１３８１２３４５６７８", "mobile"),
    ("照料人联系方式+86 138-1234-5678", "mobile"),
    ("孩子身份证号65040220150312123X，已登记。", "resident_id"),
    ("身份证 650402 20150312 1234 已核对", "resident_id"),
    ("I met a student named John at the school.", "name"),
    ("The girl called Amy was anxious during the game.", "name"),
    ("Her name is Gulnar and she is 8.", "name"),
    ("Worked with student Wang Xiaoming on breathing exercises.", "name"),
    ("The child's name was Li Wei; he lives with his grandmother.", "name"),
]

ANONYMOUS = [
    "在葡萄镇中心小学开展《我能打败情绪小怪兽》团体活动，参与儿童12名（9–11岁）。",
    "一名9岁男孩起初拒绝参与，经同伴邀请后加入。",
    "小A在角色扮演中表现出明显的焦虑，我用呼吸练习帮助他平静下来。",
    "某同学提出想换座位，与班主任沟通后安排。",
    "A同学和B同学发生了争执，我引导双方表达感受。",
    "学生小B（化名）本周情绪有所好转。",
    "孩子们张开双臂做“大树”动作，气氛轻松。",
    "学生陈述了自己最近的困扰。",
    "孩子高兴地向老师问好。",
    "高一学生共20名参加了专注力训练。",
    "周围同学给予了鼓励，全班同学一起鼓掌。",
    "在督导艾尔肯·吐尔逊老师的指导下完成了个案记录。",
    "孩子叫了一声，随后安静下来。",
    "照料人反映孩子在家常常发脾气，我们练习了“如何说，孩子才会听”中的技巧。",
    "活动时长2小时，共有家长15名、教师3名参加，记录编号2024-05-16。",
    "留守儿童较多，孩子们普遍缺乏陪伴。",
    "A 9-year-old boy was reluctant to join at first.",
    "Student A shared a drawing of his family.",
    "Contacted Child Protection Services as required.",
    "The students worked in groups of four for 45 minutes.",
]


@pytest.mark.parametrize(("text", "kind"), IDENTIFYING)
def test_guard_refuses_identifying_text(text, kind):
    findings = find_identifying_data(text)
    assert findings, text
    assert findings[0].kind == kind


@pytest.mark.parametrize("text", ANONYMOUS)
def test_guard_accepts_anonymised_text(text):
    assert find_identifying_data(text) == []


def test_refusal_explains_how_to_write_anonymously_and_masks_the_number():
    with pytest.raises(ValidationError) as caught:
        check_text("家长电话13912345678")
    message = caught.value.messages[0]
    assert caught.value.error_list[0].code == "privacy"
    assert "一名10岁女孩" in message and "该生" in message
    assert "13912345678" not in message
    assert "139****5678" in message


def test_seed_texts_all_pass_the_guard():
    from practicum import seed

    texts = [t for group in seed.DESCRIPTIONS.values() for t in group]
    texts += seed.REFLECTIONS + seed.RETURN_COMMENTS + seed.REJECT_REASONS
    texts += list(seed.RATING_COMMENTS.values())
    for text in texts:
        filled = text.format(n=12, band="6–11岁", age=9, k=2, topic="我有专注力")
        assert find_identifying_data(filled) == [], filled
