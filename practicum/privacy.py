"""The privacy guard: refuse free text that looks like it identifies a child.

Practicum descriptions, reflections and review comments are about children in
difficulty, whose personal information is sensitive under the PIPL. The guard looks
for what most often slips in — a resident ID number, a mobile number, a personal
name next to a word for a child — in Chinese and English, and refuses the text with
a message that says what it found and how to write it anonymously.

It errs on the side of refusing: a false alarm costs the trainee a rewording, a miss
puts a child's name in the record. Anonymised forms pass: 小A, A同学, 某同学,
一名9岁男孩, 化名 (pseudonym) marked as such, "a 9-year-old boy", "student A".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

HAN = "\u4e00-\u9fff"

# Words for a child or the person served, next to which a name is not allowed.
CHILD_WORDS = (
    "小朋友|学生|孩子|同学|儿童|小孩|男孩|女孩|男生|女生|幼儿|宝宝|患儿|学童|少年|"
    "个案|来访者|案主|服务对象|孤儿|留守儿童"
)

# Common surnames (百家姓, by frequency). Left out on purpose: characters that are far
# more often ordinary words right after 孩子/学生 than surnames (和, 于, 向, 常, 安, 文,
# 方, 全, 时, 明, 成, 单, 解, 应, 管, 游, 关, 包, 童, 师, 查, 连, 路, 车, 项 ...).
SURNAMES_SINGLE = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾"
    "毛郝龚邵万钱严覃武戴莫孔汤温康施牛樊葛邢齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿兰焦俞左"
    "柳祝宁符舒阮柯纪梅凌毕季裴霍涂苗谷盛翁冉骆蓝辛靳柴蒙鲍喻祁蒲房滕屈饶牟艾尤穆卓吉缪褚"
    "娄窦戚岑卫柏宗瞿桂佟臧闵苟邬卞姬仇栾隋刁巫寇桑郎甄仲虞敖巩佘邝"
)
SURNAMES_DOUBLE = "欧阳|司马|上官|诸葛|东方|皇甫|尉迟|公孙|慕容|长孙|宇文|司徒|夏侯|令狐"

# Characters common in given names. A surname followed by one or two of these reads as
# a name (王小明, 张欣怡); followed by other characters it reads as words (张开, 高兴).
GIVEN_NAME_CHARS = (
    "小晓明浩然欣怡宇轩子涵梓萱嘉俊杰伟婷雪丽娜静磊强军芳敏鑫博佳晨瑞诗雨思辰泽睿雅琪悦"
    "航宸昊春红华燕玲霞海建国志勇平斌刚飞鹏超波辉亮龙凯豪彤妍可馨蕾璐露颖倩晶欢乐阳洋涛"
    "林森宁康健天源逸铭皓晗楠蕊菲萌畅淼心美玉兰梅英秀凤琳瑶莹月星云峰宏伦东亚卓琦琛紫"
    "若依婉怡梦欣慧珊菁蓉荣琴丹倩霖钰璇婧薇岚语宁浩翔宇硕毅铮帆昕煜晟恒瀚烨熙萱"
    "文俊子嘉家鸿振永利庆福贵祥生富德立伟兵杰成斌"
)
UYGHUR_NAME_STARTS = (
    "阿依|阿不都|阿卜杜|阿迪|阿力|阿曼|阿尔|艾力|艾尔|艾克|艾则|买买|麦麦|古丽|努尔|热依|吐尔|"
    "迪丽|帕提|伊力|依明|米娜|玛丽|穆罕|塔依|再努|祖丽|居麦|亚森|图尔|尼加|阿斯|卡德|肉孜|"
    "吾买|排尔|布合|茹仙|阿布|阿合"
)
ADULT_TITLES = "老师|督导|专家|主任|校长|书记|社工|园长|医生|所长|局长|科长|主席|队长"
EXPLICIT_CONNECTORS = "叫做|名叫|名字叫|名字是|姓名是|姓名为|姓名[:：]|名为"
PSEUDONYM_MARK = re.compile(r"[\u4e00-\u9fff]*\s*[（(]\s*化名")
ENGLISH_NOT_NAMES = frozenset(
    {
        "Protection",
        "Services",
        "Service",
        "Affairs",
        "Council",
        "Union",
        "Center",
        "Centre",
        "Group",
        "Welfare",
        "Development",
        "Care",
        "Office",
        "Psychology",
    }
)

_given = f"[{GIVEN_NAME_CHARS}]{{1,2}}"
_surname = f"(?:{SURNAMES_DOUBLE}|[{SURNAMES_SINGLE}])"
_zh_name = f"{_surname}{_given}"
_uyghur_name = f"(?:{UYGHUR_NAME_STARTS})[{HAN}]{{0,4}}"
_any_name = f"(?:{_zh_name}|{_uyghur_name})"

# (kind, pattern, rule) — rule names the check that may excuse a match (see _excused).
PATTERNS: list[tuple[str, re.Pattern, str]] = [
    (
        "resident_id",
        re.compile(r"(?<![0-9A-Za-z])\d{6}[ -]?\d{8}[ -]?\d{3}[0-9Xx](?![0-9A-Za-z])"),
        "",
    ),
    (
        "mobile",
        re.compile(r"(?<![0-9])(?:\+?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?![0-9])"),
        "",
    ),
    # 孩子的名字是阿依古丽 / 学生名叫李浩然: an explicit naming, whatever the name looks like.
    (
        "name",
        re.compile(f"(?:{CHILD_WORDS})(?:的)?(?:{EXPLICIT_CONNECTORS})\\s*[{HAN}A-Za-z]{{2,4}}"),
        "zh",
    ),
    # 学生叫王小明 / 学生王小明 / 孩子，阿依古丽: a name right after the word for the child.
    (
        "name",
        re.compile(f"(?:{CHILD_WORDS})(?:叫|[，,、：:]|\\s)?{_any_name}"),
        "zh",
    ),
    # 王小明同学 / 张欣怡小朋友 / 李浩然这个孩子: a name right before it.
    (
        "name",
        re.compile(f"{_any_name}(?:这个|这名|这位|那个|那名)?(?:同学|小朋友|孩子|学生|男孩|女孩)"),
        "zh",
    ),
    # 王同学 / 李小朋友: a surname as the address.
    ("name", re.compile(f"[{SURNAMES_SINGLE}](?:同学|小朋友)(?!们)"), "zh"),
    # 阿依古丽·买买提: a full name in transliteration (unless followed by an adult's title).
    ("name", re.compile(f"[{HAN}]{{2,6}}[·•・.][{HAN}]{{2,6}}"), "dotted"),
    # English: "a student named John", "the girl called Amy Li".
    (
        "name",
        re.compile(
            r"\b(?i:student|pupil|child|kid|boy|girl|teen|teenager|client|participant|orphan)s?"
            r",?\s+(?i:named|called|whose name is)\s+[A-Z][a-z]+"
        ),
        "",
    ),
    # "her name is Amy", "the child's name was Li Wei".
    (
        "name",
        re.compile(
            r"\b(?i:his|her|their|the (?:child|student|boy|girl|client)'s)\s+(?i:name|full name)"
            r"\s+(?i:is|was)\s+[A-Z][a-z]+"
        ),
        "",
    ),
    # "student Wang Xiaoming", "the boy Tom Chen": a capitalised full name after the word.
    (
        "name",
        re.compile(r"\b(?i:student|pupil|child|boy|girl|kid)\s+([A-Z][a-z]+)\s+([A-Z][a-z]+)\b"),
        "english_full",
    ),
]

# Clearly anonymised forms that pass: 小A, A同学, 某同学, 某某, 一名9岁男孩.
_ANONYMISED = re.compile(f"^(?:某|小[A-Za-z]|[A-Za-z](?![a-z])|[{HAN}]某)")

KIND_LABELS = {
    "resident_id": _("a resident ID number"),
    "mobile": _("a mobile phone number"),
    "name": _("what looks like a personal name"),
}

ANONYMOUS_HELP = _(
    "Practicum records must never identify a child or family. Describe people "
    "anonymously — for example “一名9岁男孩”, “小A”, “某同学”, “a 9-year-old boy”, "
    "“student A” — and leave out names, ID numbers and phone numbers. If you must "
    "refer to one child several times, use a letter (小A, 小B)."
)


@dataclass(frozen=True)
class Finding:
    kind: str
    start: int
    end: int
    text: str

    @property
    def masked(self) -> str:
        """The fragment with most of it hidden, so the message shows where, not what."""
        if self.kind in {"resident_id", "mobile"}:
            digits = self.text
            return digits[:3] + "*" * max(len(digits) - 5, 0) + digits[-2:]
        return self.text[: min(3, max(len(self.text) - 2, 1))] + "…"


def normalise(text: str) -> str:
    """Full-width digits and letters become ASCII (１３８… is still a phone number)."""
    return unicodedata.normalize("NFKC", text or "")


def find_identifying_data(text: str) -> list[Finding]:
    """Everything in the text that looks like a child's identifying data, in order."""
    text = normalise(text)
    findings: list[Finding] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern, rule in PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(start < t_end and t_start < end for t_start, t_end in taken):
                continue
            if _excused(rule, match, text):
                continue
            findings.append(Finding(kind, start, end, match.group(0)))
            taken.append((start, end))
    findings.sort(key=lambda finding: finding.start)
    return findings


def _excused(rule: str, match: re.Match, text: str) -> bool:
    """Whether a match is in fact anonymised, a pseudonym, or an adult's title."""
    fragment, end = match.group(0), match.end()
    if rule == "zh":
        if PSEUDONYM_MARK.match(text, end):
            return True
        name = re.sub(f"^(?:{CHILD_WORDS})", "", fragment)
        name = re.sub(f"^(?:的)?(?:{EXPLICIT_CONNECTORS}|叫)", "", name).strip("，,、：: ")
        return bool(_ANONYMISED.match(name))
    if rule == "dotted":
        return bool(re.search(ADULT_TITLES, text[match.start() : end + 4]))
    if rule == "english_full":
        return bool({match.group(1), match.group(2)} & ENGLISH_NOT_NAMES)
    return False


def privacy_error(findings: list[Finding]) -> ValidationError:
    first = findings[0]
    return ValidationError(
        _("This text seems to contain %(what)s (“%(fragment)s”). %(help)s"),
        code="privacy",
        params={
            "what": KIND_LABELS[first.kind],
            "fragment": first.masked,
            "help": ANONYMOUS_HELP,
        },
    )


def check_text(text: str) -> None:
    """Raise ``ValidationError`` (code ``privacy``) if the text looks identifying."""
    findings = find_identifying_data(text)
    if findings:
        raise privacy_error(findings)


def validate_anonymous(value: str) -> None:
    """A form/model field validator wrapping ``check_text``."""
    check_text(value)
