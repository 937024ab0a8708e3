"""Find what identifies a child or family in free text (the engine of the guard).

``find_identifying_data(text)`` returns every finding, in order, each with its kind
(``resident_id``, ``mobile``, ``landline``, ``contact``, ``address``, ``name``), where
it is and a masked form to show back. It reads Chinese, Uyghur (Arabic script and Latin
letters) and English:

* numbers are read as the digits a person typed, whatever came between them (spaces,
  dashes, dots, brackets, full-width digits, one digit at a time, Chinese numerals),
  then recognised by shape: an 18-character resident ID (region, a real birth date and
  the GB 11643 check character; a wrong check character still counts next to a word
  for "ID"), a mobile (with or without +86/0086), a landline with its area code;
* QQ and WeChat accounts after their names, and e-mail addresses;
* house-level addresses: a village's group and house number (…村3组5号), building,
  unit and room, a road and its number — in the three languages;
* personal names: Chinese names found by jieba's person-name tagging (``nr``) and by
  surname lists in a naming context (辅导对象：…, 孩子叫…, a class, a relative, …同学,
  …（10岁）), Uyghur names from a compiled list in Arabic script, Latin letters and
  Chinese transliteration, pinyin full names, and English names in a naming context.

Allowed: names next to an adult's title (督导：陈静, 张老师, supervisor Chen Jing,
Gulnar muellim) — the people who use the system — names given in ``allowed_names``,
and anonymised forms (小A, 某同学, 该生, 一名10岁女孩, 王某, 化名 marked).

It errs on the side of refusing: a false alarm costs a rewording, a miss puts a
child's name in the record. Its measured recall and false-positive rate are in
docs/data-protection.md.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from . import lexicon as lx

HAN = "\u4e00-\u9fff"
ARABIC = "\u0600-\u06ff\ufb50-\ufdff\ufe70-\ufeff"
NUM = "[0-9一二三四五六七八九十百零〇]+"


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


KINDS = ("resident_id", "mobile", "landline", "contact", "address", "name")


@dataclass(frozen=True)
class Finding:
    """One thing that looked identifying: its kind, where it is, and what it was."""

    kind: str
    start: int
    end: int
    text: str

    @property
    def masked(self) -> str:
        """The fragment with most of it hidden: shows where, not what."""
        return mask(self.kind, self.text)


def mask(kind: str, fragment: str) -> str:
    digits = re.sub(r"[^0-9Xx]", "", fragment)
    if kind == "mobile":
        if len(digits) > 11:
            digits = digits[-11:]
        return digits[:3] + "****" + digits[-4:]
    if kind == "resident_id":
        return digits[:2] + "*" * max(len(digits) - 4, 4) + digits[-2:]
    if kind == "landline":
        return digits[:4] + "****" + digits[-2:]
    if kind == "name":
        words = fragment.split()
        return " ".join(word[0] + "**" for word in words) if words else fragment[:1] + "**"
    return fragment[:2] + "**"


def normalise(text: str) -> str:
    """Full-width forms become ASCII, one character for one (offsets stay valid)."""
    out = []
    for char in text or "":
        folded = unicodedata.normalize("NFKC", char)
        out.append(folded if len(folded) == 1 else char)
    return "".join(out)


# --- numbers -------------------------------------------------------------------

_RUN = re.compile(
    r"(?<![0-9A-Za-z_@.])(?:\+\s?)?\(?\d(?:[\d()]|[ \-.\u2010-\u2015/](?=[\d(]))*"
    r"(?:[Xx](?![A-Za-z0-9]))?"
)
_GROUP = re.compile(r"\d+(?:[Xx](?![0-9]))?")
_ZH_DIGITS = {c: str(i) for i, c in enumerate("零一二三四五六七八九")} | {"〇": "0", "幺": "1"}
_ZH_RUN = re.compile("[零一二三四五六七八九〇幺]{7,}")
_ID_CUE = re.compile(
    r"(?i)身份证|身份号|证件|公民号|\bID\b|identity|kimlik|كىملىك|salahiyet|سالاھىيەت"
)
_PHONE_CUE = re.compile(r"(?i)电话|座机|手机|号码|联系|phone|\btel\b|telefon|تېلېفون|nomur|نومۇر")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_checksum_ok(number: str) -> bool:
    """The GB 11643-1999 check character of an 18-character resident ID."""
    total = sum(int(c) * w for c, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    return "10X98765432"[total % 11] == number[17].upper()


def _birth_date_ok(yyyymmdd: str) -> bool:
    try:
        born = date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return False
    return 1900 <= born.year <= 2099


def _classify_number(digits: str, plus: bool, before: str) -> str | None:
    shaped_18 = len(digits) == 18 and digits[:17].isdigit() and digits[0] in "12345678"
    valid_18 = shaped_18 and _birth_date_ok(digits[6:14])
    if valid_18 and (id_checksum_ok(digits) or _ID_CUE.search(before)):
        return "resident_id"
    shaped_15 = len(digits) == 15 and digits.isdigit() and _birth_date_ok("19" + digits[6:12])
    if shaped_15 and _ID_CUE.search(before):
        return "resident_id"
    if not digits.isdigit():
        return None
    national = digits
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and (plus or prefix == "0086" or len(digits) == 13):
            national = digits[len(prefix) :]
            break
    if re.fullmatch(r"1[3-9]\d{9}", national):
        return "mobile"
    if national != digits and not national.startswith("0"):
        national = "0" + national
    if re.fullmatch(r"0(?:[12]\d{9}|[3-9]\d{2}[2-9]\d{6,7})", national):
        return "landline"
    if 7 <= len(digits) <= 8 and digits[0] in "23456789" and _PHONE_CUE.search(before[-10:]):
        return "landline"
    return None


def _numbers(text: str) -> Iterable[Finding]:
    for run in _RUN.finditer(text):
        groups = list(_GROUP.finditer(run.group()))
        plus = run.group().lstrip().startswith("+")
        taken_until = -1
        i = 0
        while i < len(groups):
            best = None
            for j in range(len(groups), i, -1):
                digits = "".join(g.group() for g in groups[i:j])
                if len(digits) > 20:
                    continue
                start = run.start() + groups[i].start()
                before = text[max(0, start - 20) : start]
                kind = _classify_number(digits, plus and i == 0, before)
                if kind:
                    best = (j, kind, start, run.start() + groups[j - 1].end())
                    break
            if best and best[2] > taken_until:
                j, kind, start, end = best
                if plus and i == 0:
                    start = run.start()
                yield Finding(kind, start, end, text[start:end])
                taken_until = end
                i = j
            else:
                i += 1
    for run in _ZH_RUN.finditer(text):
        digits = "".join(_ZH_DIGITS[c] for c in run.group())
        kind = _classify_number(digits, False, text[max(0, run.start() - 20) : run.start()])
        if kind in {"mobile", "landline"}:
            yield Finding(kind, run.start(), run.end(), run.group())


# --- contacts -----------------------------------------------------------------

_CONTACTS = [
    re.compile(
        r"(?i)(?:(?<![A-Za-z])QQ|扣扣)\s*(?:号码|号|nomuri|نومۇرى|number|no\.?)?\s*(?:is|是|为|:)?\s*"
        r"(?P<id>\d{5,11})(?!\d)"
    ),
    re.compile(
        r"(?i)(?:微信号?|wechat(?:\s*id)?|weixin|\bvx|\bwx号?|ئۈندىدار(?:\s*نومۇرى)?|ۋېيشىن)"
        r"\s*(?:号|id|nomuri)?\s*(?:is|是|为|:)?\s*"
        r"(?P<id>(?=[A-Za-z0-9_-]*[0-9_])[A-Za-z][-_A-Za-z0-9]{4,19}|1[3-9]\d{9})(?![A-Za-z0-9_])"
    ),
    re.compile(r"(?P<id>[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})"),
]


def _contacts(text: str) -> Iterable[Finding]:
    for pattern in _CONTACTS:
        for match in pattern.finditer(text):
            yield Finding("contact", match.start("id"), match.end("id"), match.group("id"))


# --- addresses ----------------------------------------------------------------

_ADDRESSES = [
    re.compile(rf"[{HAN}]{{1,6}}村\s*{NUM}\s*(?:组|队|小队|社)(?:\s*{NUM}\s*号)?"),
    re.compile(rf"(?<![第0-9一二三四五六七八九十])(?:{NUM})\s*(?:组|队)\s*{NUM}\s*号"),
    re.compile(rf"{NUM}\s*(?:号楼|栋|幢|号院|号院子)\s*{NUM}\s*单元(?:\s*{NUM}\s*(?:室|号)?)?"),
    re.compile(rf"{NUM}\s*单元\s*{NUM}\s*(?:室|号)?"),
    re.compile(rf"[{HAN}]{{1,4}}(?:路|街|巷|大道|胡同)\s*{NUM}\s*号"),
    re.compile(r"\b(?:No\.?|Number)\s*\d+\s*,?\s*(?:Group|Team)\s*\d+"),
    re.compile(r"\b(?:Group|Team)\s*\d+\s*,?\s*No\.?\s*\d+"),
    re.compile(r"\bGroup\s*\d+\s*,\s*[A-Z][a-z]+\s+Village"),
    re.compile(r"\b\d+\s+[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?\s+(?:Road|Street|Lane|Avenue|Rd|St)\b"),
    re.compile(
        r"\b(?:Room|Flat|Apt\.?|Apartment)\s*\d+\s*,?\s*(?:Unit|Building|Block)\s*\d+"
        r"|\bUnit\s*\d+\s*,?\s*(?:Building|Block)\s*\d+"
    ),
    re.compile(r"\d+\s*-\s*(?:كەنت|مەھەللە|گۇرۇپپا|قورۇ)\s+\d+\s*-\s*نومۇر"),
    re.compile(r"(?:كوچىسى|كوچا|مەھەللىسى)\s+\d+\s*-\s*نومۇر"),
    re.compile(r"\d+\s*-\s*نومۇرلۇق\s+ئۆي"),
    re.compile(r"(?i)\d+\s*-\s*(?:kent|mehelle|guruppa)\s+\d+\s*-\s*nomur"),
    re.compile(r"(?i)(?:kochisi|kocha|mehellisi)\s+\d+\s*-\s*nomur"),
    re.compile(r"(?i)\d+\s*-\s*nomurluq\s+öy"),
]


def _addresses(text: str) -> Iterable[Finding]:
    for pattern in _ADDRESSES:
        for match in pattern.finditer(text):
            yield Finding("address", match.start(), match.end(), match.group())


# --- Chinese names ------------------------------------------------------------

_jieba_lock = threading.Lock()
_jieba_ready = False


def _pos_tokens(text: str) -> list[tuple[int, int, str, str]]:
    """jieba's words with their offsets and part-of-speech tags."""
    global _jieba_ready
    import jieba
    import jieba.posseg

    if not _jieba_ready:
        with _jieba_lock:
            if not _jieba_ready:
                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                _jieba_ready = True
    tokens, offset = [], 0
    for pair in jieba.posseg.cut(text, HMM=True):
        tokens.append((offset, offset + len(pair.word), pair.word, pair.flag))
        offset += len(pair.word)
    return tokens


def _word_frequency(word: str) -> int:
    import jieba

    return jieba.dt.FREQ.get(word) or 0


_KIN = "|".join(sorted(lx.KIN_WORDS, key=len, reverse=True))
_CHILD = "|".join(sorted(lx.CHILD_WORDS, key=len, reverse=True))
_TITLES = "|".join(sorted(lx.ADULT_TITLES, key=len, reverse=True))
_SURNAME = "(?:" + "|".join(lx.SURNAMES_DOUBLE) + "|[" + "".join(sorted(lx.SURNAMES_SINGLE)) + "])"
_STOP = "的了在是和与说也都就很又把被给对从让向跟地得着过们今年岁男女从已曾将会要能"
# Characters of the Chinese transliteration of Uyghur names (阿依古丽, 买买提…).
_TRANSLIT = (
    "阿依迪丽帕提热孜宛尔如仙苏比努再娜甫布海且姆古扎米巴哈克力木买麦亚森明艾肯吐逊洪合拜伊拉音"
    "吾斯曼赛安外库班居肉塔沙尼加则穆罕默兰汗夏西达迪茹"
)
_UYGHUR_HAN = re.compile(
    "|".join(sorted(lx.UYGHUR_NAMES_HAN, key=len, reverse=True))
    + f"|[{_TRANSLIT}]{{1,3}}古丽|(?:阿不都|阿卜杜|阿布都)[{_TRANSLIT}]{{1,3}}"
)
_DOTTED = re.compile(f"[{HAN}]{{2,6}}[·•・][{HAN}]{{2,6}}")

_CUE_NAMING = re.compile(r"(?:叫做|名叫|名字叫|名字是|姓名是|姓名为|姓名:?|名为|叫|称为)\s*$")
_CUE_OBJECT = re.compile(
    rf"(?:对象|个案|案主|来访者|{_CHILD}|{_KIN})\s*(?:的)?\s*(?:是|为|:|,|、)\s*$"
)
_CUE_KIN = re.compile(rf"(?:{_KIN})\s*$")
_CUE_CHILD = re.compile(rf"(?:{_CHILD})\s*$")
_CUE_CLASS = re.compile(
    rf"(?:{NUM}\s*年级(?:\s*{NUM}\s*班)?|[初高][一二三](?:\s*{NUM}\s*班)?|{NUM}\s*班)\s*(?:的)?\s*$"
)
# The same cues, read forwards: the name slot starts where one ends.
_CUES_FORWARD = [
    re.compile(
        "(?=(?:"
        + cue.pattern.removesuffix(r"\s*$")
        + r"))(?:"
        + cue.pattern.removesuffix(r"\s*$")
        + r")\s*"
    )
    for cue in (_CUE_NAMING, _CUE_OBJECT, _CUE_KIN, _CUE_CLASS, _CUE_CHILD)
]
_POST_STRONG = re.compile(
    rf"^\s*(?:\(|,\s*[男女]\s*[,，(]|,\s*\d+\s*岁|\d+\s*岁|同学(?!们)|小朋友(?!们)|这个孩子|这名|这位"
    rf"|今年\s*\d+|的(?:{_KIN}))"
)
_TITLE_AFTER = re.compile(rf"^\s*(?:{_TITLES})")
# 李女士, 王先生, 赵大妈: a surname with a courtesy title, not a full name.
_HONORIFICS = _words(
    "女士 先生 大妈 大爷 大姐 大哥 大叔 大婶 阿姨 叔叔 师傅 姐 哥 叔 婶 姨 伯 奶奶 爷爷"
)
_NICKNAME = re.compile(
    rf"(?:小名|乳名|昵称|外号|绰号|网名)\s*(?:叫|是|为|:)?\s*(?P<name>[{HAN}]{{1,3}})"
)
_TITLE_INSIDE = re.compile(rf"(?:{_TITLES}|老)")
_TITLE_BEFORE = re.compile(rf"(?:{_TITLES})\s*[:：]?\s*$")
_PSEUDONYM = re.compile(r"^\s*[(（]?\s*化名|^\s*[(（]\s*pseudonym")
# 卫健委, 民政局: an institution, not a person.
_INSTITUTION_ENDINGS = frozenset("委局办院厅处部署司社站")
# Parts of speech a given name is not (adverbs, verbs, prepositions, numerals…).
_NOT_GIVEN_FLAGS = frozenset("dvpmcurftqxyek")
# 王同学, 李小朋友: a surname as the address (surnames that are also common words left out).
_SURNAME_ADDRESS = re.compile(
    "["
    + "".join(
        sorted(lx.SURNAMES_SINGLE - set("全时明成单解应管游关包童查连路车项常安文方于向米欧"))
    )
    + "](?:同学|小朋友)(?!们)"
)
_SLOT = re.compile(rf"{_SURNAME}[{HAN}]{{1,2}}|小[{HAN}]")


_WORDS_BEFORE_NAME = re.compile(rf"(?:{_TITLES}|{_KIN}|{_CHILD}|[{_STOP}在和与跟同给对向叫])")
_WORDS_AFTER_NAME = re.compile(rf"(?:{_TITLES}|{_KIN}|{_CHILD}|[{_STOP.replace('都', '')}])")
# 艾丁湖镇, 鲁克沁镇中学: a place, not a person.
_PLACE_AFTER = re.compile(
    r"^(?:镇|乡|县|村|区|市|州|街道|社区|中学|小学|学校|农场|园艺场|牧场|湖|山|河)"
)


def _trim_dotted(text: str, start: int, end: int) -> tuple[int, int]:
    """阿依古丽·买买提 out of 在督导阿依古丽·买买提老师的: cut the words around the name."""
    dot = start + re.search("[·•・]", text[start:end]).start()
    for match in _WORDS_BEFORE_NAME.finditer(text, start, dot):
        start = match.end()
    after = _WORDS_AFTER_NAME.search(text, dot + 1, end)
    if after:
        end = after.start()
    return start, end


class _Tokens(list):
    """jieba's words, with their start and end offsets indexed."""

    def __init__(self, tokens):
        super().__init__(tokens)
        self.by_start = {t[0]: t for t in tokens}
        self.ends = {t[1] for t in tokens}

    def aligned(self, start: int, end: int) -> bool:
        """The span starts and ends on word boundaries."""
        return start in self.by_start and (end in self.ends or end in self.by_start)


def _slot_candidate(text: str, at: int) -> tuple[int, int] | None:
    """A surname and one or two given-name characters at ``at`` (stops at function words)."""
    match = _SLOT.match(text, at)
    if not match:
        return None
    end = match.end()
    while end > at + 2 and text[end - 1] in _STOP:
        end -= 1
    if text[at + 1] in _STOP:
        return None
    return at, end


def _han_names(text: str, allowed: frozenset[str]) -> Iterable[Finding]:
    if not re.search(f"[{HAN}]", text):
        return
    tokens = _Tokens(_pos_tokens(text))
    candidates: dict[tuple[int, int], str] = {}  # span -> source

    for match in _DOTTED.finditer(text):
        candidates[_trim_dotted(text, *match.span())] = "dotted"
    for match in _UYGHUR_HAN.finditer(text):
        candidates.setdefault(match.span(), "uyghur")
    for match in _NICKNAME.finditer(text):
        candidates.setdefault(match.span("name"), "nickname")
    for match in _SURNAME_ADDRESS.finditer(text):
        candidates.setdefault((match.start(), match.start() + 1), "address_form")
    for index, (start, end, word, flag) in enumerate(tokens):
        first = word[:2] if word[:2] in lx.SURNAMES_DOUBLE else word[:1]
        if first not in lx.SURNAMES_SINGLE and first not in lx.SURNAMES_DOUBLE:
            continue
        if flag.startswith("nr") and 2 <= len(word) <= 4:
            if len(word) == 4 and len(first) == 1:
                continue
            if len(word) == 2 and index + 1 < len(tokens):
                nxt = tokens[index + 1]
                if (
                    len(nxt[2]) == 1
                    and nxt[3] in {"n", "ng", "nr", "a", "ag"}
                    and nxt[2] not in _STOP
                ):
                    candidates.setdefault((start, nxt[1]), "jieba")
                    continue
            candidates.setdefault((start, end), "jieba")
        elif len(word) == len(first) and index + 1 < len(tokens):
            nxt = tokens[index + 1]
            if (
                1 <= len(nxt[2]) <= 2
                and re.fullmatch(f"[{HAN}]+", nxt[2])
                and nxt[3][:1] not in _NOT_GIVEN_FLAGS
            ):
                source = "jieba" if nxt[3].startswith("nr") else "split"
                candidates.setdefault((start, nxt[1]), source)
    # Naming slots: whatever follows 叫/姓名：/辅导对象：/a class/a relative.
    for cue in _CUES_FORWARD:
        for match in cue.finditer(text):
            span = _slot_candidate(text, match.end())
            if span:
                candidates.setdefault(span, "slot")

    taken: list[tuple[int, int]] = []
    for (start, end), source in sorted(candidates.items(), key=lambda c: (c[0][0], -c[0][1])):
        if any(start < t_end and t_start < end for t_start, t_end in taken):
            continue
        if _han_name_ok(text, start, end, source, tokens, allowed):
            taken.append((start, end))
            yield Finding("name", start, end, text[start:end])


def _han_name_ok(text, start, end, source, tokens, allowed) -> bool:
    name = text[start:end]
    before, after = text[max(0, start - 14) : start], text[end : end + 12]
    if name in allowed or name.startswith(lx.ANONYMISED_STARTS) or "某" in name:
        return False
    if re.search(r"[A-Za-z]", name) or name[-1] in _INSTITUTION_ENDINGS:
        return False
    if _PSEUDONYM.search(after) or re.search(r"化名\s*[\"“「]?\s*$", before):
        return False
    if _TITLE_AFTER.search(after) or _TITLE_BEFORE.search(before):
        return False
    if _TITLE_INSIDE.search(name, 1):
        return False
    if name[1:] in _HONORIFICS or name[2:] in _HONORIFICS:
        return False
    if _PLACE_AFTER.search(after):
        return False
    if source in {"dotted", "address_form", "nickname"}:
        return True
    strong = bool(
        _CUE_NAMING.search(before)
        or _CUE_OBJECT.search(before)
        or _CUE_KIN.search(before)
        or _CUE_CLASS.search(before)
        or _POST_STRONG.search(after)
    )
    weak = bool(_CUE_CHILD.search(before))
    if source == "uyghur":
        return len(name) >= 3 or strong
    if name.startswith("小"):
        return bool(_CUE_NAMING.search(before) or _CUE_OBJECT.search(before))
    if not tokens.aligned(start, end):
        return False
    # A common word that happens to start with a surname (高兴, 宁可, 马上, 周末…).
    head = tokens.by_start[start]
    is_surname = head[2] in lx.SURNAMES_DOUBLE or len(head[2]) == 1
    if not is_surname and not head[3].startswith("nr") and _word_frequency(head[2]) >= 30:
        return False
    if len(name) == 3 and not strong and _word_frequency(name[:2]) >= 200:
        return False
    if len(name) >= 3:
        return source == "jieba" or strong or weak
    return strong and (head[3].startswith("nr") or _word_frequency(name) < 100)


# --- names in Latin letters -------------------------------------------------------

_LATIN_WORD = re.compile(r"[A-Za-zÀ-ɏ][A-Za-zÀ-ɏ'’-]*")
_PINYIN_GIVEN = re.compile(f"(?:{lx.PINYIN_SYLLABLE}){{1,3}}")
_AGE_AFTER = re.compile(
    r"^\s*(?:\((?:age[d]?\s*)?\d{1,2}(?:\s*(?:yash|ياش|years?|yrs?))?|,\s*(?:age[d]?\s*)?\d{1,2}\s*(?:,|yash|years?)"
    r"|,\s*(?:a|an)\s+\d{1,2}-year-old|\s+isimlik|\s+dégen|\s+degen)",
    re.IGNORECASE,
)
_EN_CONTEXT_BEFORE = re.compile(
    r"(?:\b(?:named|called)|\bname\s+(?:is|was)|\b(?:student|pupil|child|boy|girl|kid|son|daughter)\s*,?)\s*$",
    re.IGNORECASE,
)
_NOT_NAMES = _words(
    "the a an and or but he she it we they i you this that there then when our their his "
    "her child student session group room unit building no number protection services "
    "service affairs bureau council union center centre welfare development care office "
    "committee psychology school hospital class day week month project programme program "
    "team camp club home village township county district city street road"
)


_NOT_NAME_WORDS = (
    _NOT_NAMES
    | {w.rstrip(".") for w in lx.ADULT_TITLES_LATIN}
    | lx.KIN_WORDS_LATIN
    | lx.CHILD_WORDS_LATIN
)


def _latin_stem(word: str) -> tuple[str, bool]:
    """(the name in a word, whether it is a listed Uyghur name) — Aygulning -> aygul."""
    low = word.lower().replace("’", "'")
    for candidate in [low] + [low[: -len(s)] for s in lx.LATIN_SUFFIXES if low.endswith(s)]:
        if candidate in lx.UYGHUR_NAMES_LATIN:
            return candidate, True
        if candidate.endswith("jan") and candidate[:-3] in lx.UYGHUR_NAMES_LATIN:
            return candidate, True
    for candidate in [low] + [low[: -len(s)] for s in lx.LATIN_SUFFIXES if low.endswith(s)]:
        if candidate in lx.UYGHUR_NAMES_LATIN_AMBIGUOUS:
            return candidate, False
    return low, False


def _latin_names(text: str, allowed: frozenset[str]) -> Iterable[Finding]:
    words = list(_LATIN_WORD.finditer(text))
    if not words:
        return
    marks: list[str | None] = []  # "name", "maybe" or None per word
    for index, match in enumerate(words):
        word = match.group()
        low = word.lower().rstrip(".")
        if not word[0].isupper() or len(word) < 2 or low in _NOT_NAME_WORDS:
            marks.append(None)
            continue
        stem, listed = _latin_stem(word)
        if listed:
            marks.append("name")
        elif stem in lx.UYGHUR_NAMES_LATIN_AMBIGUOUS:
            marks.append("maybe")
        elif word.lower() in lx.PINYIN_SURNAMES and index + 1 < len(words):
            nxt = words[index + 1]
            gap = text[match.end() : nxt.start()]
            given = nxt.group()
            if (
                gap == " "
                and given[0].isupper()
                and _PINYIN_GIVEN.fullmatch(given.lower().rstrip("'s"))
                and given.lower() not in _NOT_NAMES
                and word.lower() not in {"he", "an"}
            ):
                marks.append("pinyin")
            else:
                marks.append("maybe-generic")
        else:
            marks.append("maybe-generic")
    # A pinyin surname makes the next word part of the name.
    for index, mark in enumerate(marks):
        if mark == "pinyin":
            marks[index + 1] = "name"
            marks[index] = "name"

    index = 0
    while index < len(words):
        if marks[index] is None:
            index += 1
            continue
        end_index = index
        while (
            end_index + 1 < len(words)
            and marks[end_index + 1] is not None
            and text[words[end_index].end() : words[end_index + 1].start()] == " "
        ):
            end_index += 1
        group = range(index, end_index + 1)
        start, end = words[index].start(), words[end_index].end()
        index = end_index + 1
        kinds = [marks[i] for i in group]
        fragment = text[start:end]
        before, after = text[max(0, start - 40) : start], text[end : end + 30]
        prev_word = re.findall(r"[A-Za-z'’.]+", before)[-1:] or [""]
        next_word = re.findall(r"[A-Za-z'’.]+", after)[:1] or [""]
        if (
            prev_word[0].lower() in lx.ADULT_TITLES_LATIN
            or next_word[0].lower() in lx.ADULT_TITLES_LATIN
        ):
            continue
        if fragment in allowed:
            continue
        context = bool(
            _AGE_AFTER.search(after)
            or _EN_CONTEXT_BEFORE.search(before)
            or prev_word[0].lower() in lx.KIN_WORDS_LATIN
            or prev_word[0].lower() in lx.NAMING_WORDS_UG_LATN
            or re.search(r"\b(?:ismi|isimlik)\s*$", before, re.IGNORECASE)
            or (re.search(r"['’]s$", fragment) and next_word[0].lower() in lx.KIN_WORDS_LATIN)
        )
        if "name" in kinds:
            # Trim generic capitalised words around a listed name ("The boy, Abdulla").
            first = min(i for i in group if marks[i] == "name")
            last = max(i for i in group if marks[i] == "name")
            if any(marks[i] == "maybe" for i in group) or context:
                first = min(i for i in group if marks[i] in {"name", "maybe"} or i >= first)
            start, end = words[first].start(), words[last].end()
            yield Finding("name", start, end, text[start:end])
        elif context and any(len(words[i].group()) > 1 for i in group):
            names = [i for i in group if marks[i] in {"maybe", "maybe-generic"}]
            if names and words[names[0]].group().lower() not in _NOT_NAMES:
                start, end = words[names[0]].start(), words[names[-1]].end()
                yield Finding("name", start, end, text[start:end])
        elif kinds.count("maybe") >= 2:
            yield Finding("name", start, end, fragment)


# --- names in Arabic-script Uyghur ---------------------------------------------------

# Arabic-script letters, without the Arabic comma, semicolon, question mark and full stop.
_ARABIC_WORD = re.compile(f"(?:(?![\u060c\u061b\u061f\u06d4])[{ARABIC}])+")


def _arabic_stem(word: str) -> tuple[bool, bool]:
    """(listed, ambiguous) for a word that may be a name with case endings."""
    forms = {word}
    for suffix in lx.ARABIC_SUFFIXES:
        if word.endswith(suffix):
            forms.add(word[: -len(suffix)])
    for form in list(forms):
        if form.endswith(lx.ARABIC_JAN):
            forms.add(form[: -len(lx.ARABIC_JAN)])
    if forms & lx.UYGHUR_NAMES_ARABIC:
        return True, False
    return False, bool(forms & lx.UYGHUR_NAMES_ARABIC_AMBIGUOUS)


def _arabic_names(text: str, allowed: frozenset[str]) -> Iterable[Finding]:
    words = list(_ARABIC_WORD.finditer(text))
    if not words:
        return
    marks = []
    for match in words:
        listed, ambiguous = _arabic_stem(match.group())
        marks.append("name" if listed else "maybe" if ambiguous else None)
    index = 0
    while index < len(words):
        if marks[index] is None:
            index += 1
            continue
        end_index = index
        while (
            end_index + 1 < len(words)
            and marks[end_index + 1] is not None
            and not text[words[end_index].end() : words[end_index + 1].start()].strip()
        ):
            end_index += 1
        group = range(index, end_index + 1)
        start, end = words[index].start(), words[end_index].end()
        index = end_index + 1
        prev_word = words[group[0] - 1].group() if group[0] > 0 else ""
        next_word = words[group[-1] + 1].group() if group[-1] + 1 < len(words) else ""
        if prev_word in lx.ADULT_TITLES_UG or next_word in lx.ADULT_TITLES_UG:
            continue
        if text[start:end] in allowed:
            continue
        kinds = [marks[i] for i in group]
        after = text[end : end + 20]
        context = bool(
            prev_word in lx.NAMING_WORDS_UG
            or next_word in lx.NAMING_WORDS_UG
            or prev_word in lx.KIN_WORDS_UG
            or re.match(r"^\s*[(،,]\s*\d{1,2}\s*(?:ياش|-?ياش)", after)
        )
        if "name" in kinds or context or len(kinds) >= 2:
            yield Finding("name", start, end, text[start:end])


# --- all together ------------------------------------------------------------------


def find_identifying_data(text: str, *, allowed_names: Iterable[str] = ()) -> list[Finding]:
    """Everything in ``text`` that looks like a child's or family's identifying data.

    ``allowed_names``: names of the system's own users, which are never findings.
    Offsets refer to ``text`` (full-width forms are read as ASCII, one for one).
    """
    normal = normalise(text)
    allowed = frozenset(name.strip() for name in allowed_names if name and name.strip())
    found: list[Finding] = []
    for finder in (_numbers, _contacts, _addresses):
        found.extend(finder(normal))
    for finder in (_han_names, _latin_names, _arabic_names):
        found.extend(finder(normal, allowed))
    unique: dict[tuple[str, int, int], Finding] = {}
    for finding in found:
        original = Finding(
            finding.kind, finding.start, finding.end, text[finding.start : finding.end]
        )
        unique.setdefault((finding.kind, finding.start, finding.end), original)
    return sorted(unique.values(), key=lambda f: (f.start, f.end))
