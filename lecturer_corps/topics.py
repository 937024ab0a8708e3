"""The sixteen curriculum topics a lecturer may be sent to teach.

Fixed by the programme report (表1: ten children's theme activities; 表2: six
caregiver courses). Titles are exactly the report's, and are also the titles of
the course pages in ``courses`` (``lecturer_corps.eligibility.completed_topics``
maps courses to topics by title). Each topic needs one qualification: children's
activities a psychological counsellor's, caregiver courses a family-education
instructor's.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

COUNSELLOR = "counsellor"
FAMILY_EDUCATOR = "family_educator"

QUALIFICATION_LABELS = {
    COUNSELLOR: _("psychological counsellor"),
    FAMILY_EDUCATOR: _("family-education instructor"),
}


class Audience(models.TextChoices):
    CHILDREN = "children", _("Children")
    CAREGIVERS = "caregivers", _("Caregivers")
    TEACHERS = "teachers", _("Teachers")


@dataclass(frozen=True)
class Topic:
    code: str
    title: str  # Chinese title exactly as in the programme report
    gloss: str  # what it is about, translatable
    audience: str  # Audience.CHILDREN or Audience.CAREGIVERS
    qualification: str  # COUNSELLOR or FAMILY_EDUCATOR
    bit: int  # position in a lecturer's topic bit mask

    @property
    def qualification_label(self):
        return QUALIFICATION_LABELS[self.qualification]

    def __str__(self) -> str:
        return self.title


_CHILDREN = [
    ("child_01", "我是有能力的小公民", _("empowering children's mental health")),
    ("child_02", "我能打败情绪小怪兽", _("five good ways to manage emotions")),
    ("child_03", "好好说话，认真听", _("communicating effectively")),
    ("child_04", "我不是个错误", _("understanding oneself correctly")),
    ("child_05", "我要说声谢谢你", _("thanks and gratitude")),
    ("child_06", "爱护我们的身体", _("body safety for children under 14")),
    ("child_07", "我是小小演说家", _("speaking and public speaking")),
    ("child_08", "我能实现我的目标", _("setting goals")),
    ("child_09", "我有专注力", _("attention and study efficiency")),
    ("child_10", "我有能力成为更好的人", _("youth leadership")),
]
_CAREGIVERS = [
    ("caregiver_01", "把爱带回家，了解你的孩子", _("general laws of child development")),
    ("caregiver_02", "做好情绪管理，成就幸福家庭", _("emotion-management methods and skills")),
    ("caregiver_03", "如何说，孩子才会听", _("parent–child communication techniques")),
    (
        "caregiver_04",
        "最好的礼仪教育在家庭",
        _("teaching a child to do things right the first time"),
    ),
    (
        "caregiver_05",
        "怎样培养孩子的自信心",
        _("encouragement and praise for intrinsic motivation"),
    ),
    ("caregiver_06", "悦纳孩子的不完美", _("a stable, loving environment for security")),
]

TOPICS: tuple[Topic, ...] = tuple(
    [
        Topic(code, title, gloss, Audience.CHILDREN, COUNSELLOR, index)
        for index, (code, title, gloss) in enumerate(_CHILDREN)
    ]
    + [
        Topic(code, title, gloss, Audience.CAREGIVERS, FAMILY_EDUCATOR, len(_CHILDREN) + index)
        for index, (code, title, gloss) in enumerate(_CAREGIVERS)
    ]
)
TOPICS_BY_CODE = {topic.code: topic for topic in TOPICS}
TOPICS_BY_TITLE = {topic.title: topic for topic in TOPICS}
TOPIC_CHOICES = [(topic.code, topic.title) for topic in TOPICS]


def get_topic(code: str) -> Topic | None:
    return TOPICS_BY_CODE.get(code)


def topic_codes_for(qualification: str) -> list[str]:
    """The codes of the topics that need ``qualification`` (none for an unknown one)."""
    return [topic.code for topic in TOPICS if topic.qualification == qualification]


def topic_mask(codes) -> int:
    """The bit mask of a list of topic codes (unknown codes are ignored)."""
    mask = 0
    for code in codes or ():
        topic = TOPICS_BY_CODE.get(code)
        if topic is not None:
            mask |= 1 << topic.bit
    return mask


def audiences_for(topic: Topic) -> tuple[str, ...]:
    """Who a session of this topic is for: children's activities for children;
    caregiver courses for caregivers or teachers."""
    if topic.audience == Audience.CHILDREN:
        return (Audience.CHILDREN,)
    return (Audience.CAREGIVERS, Audience.TEACHERS)
