"""The children's-data guard (lms.child_privacy): forms of data it finds, what it lets
through, how a refusal reads, and that every NARRATIVE text field runs it."""

from __future__ import annotations

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.utils import translation
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from lms.child_privacy import check_narrative, check_text, find_identifying_data, id_checksum_ok
from lms.textinput import (
    LABEL,
    NARRATIVE,
    PERSON_NAME,
    REASON,
    TextField,
    TextValidator,
    api_text,
    registered_checks,
)


def kinds(text: str, **kwargs) -> list[str]:
    return [finding.kind for finding in find_identifying_data(text, **kwargs)]


@pytest.mark.parametrize(
    "text",
    [
        "身份证号650402201503121231",
        "身份证 6504 0220 1503 1212 31",
        "身份证 650402 20150312 1231",
        "身份证：６５０４０２２０１５０３１２１２３１",
        "证件号 65040220160921051x",
        "ID 650402-20150312-1231",
        "كىملىك نومۇرى 650402201503121231",
    ],
)
def test_resident_id_numbers_in_every_written_form(text):
    assert "resident_id" in kinds(text)


def test_the_check_character_decides_without_a_cue_word():
    assert id_checksum_ok("650402201503121231")
    assert not id_checksum_ok("650402201503121234")
    assert kinds("编号 650402201503121231") == ["resident_id"]
    # 18 digits with a wrong check character and no word for "ID": a record number.
    assert kinds("编号 650402201503121234") == []
    assert kinds("身份证 650402201503121234") == ["resident_id"]


@pytest.mark.parametrize(
    "text",
    [
        "电话13899123456",
        "+86 138 9912 3456",
        "0086-13899123456",
        "138.9912.3456",
        "138-9912-3456",
        "1 3 8 9 9 1 2 3 4 5 6",
        "１３８９９１２３４５６",
        "号码是一三八九九一二三四五六",
    ],
)
def test_mobiles_however_written(text):
    assert kinds(text) == ["mobile"]


@pytest.mark.parametrize(
    "text",
    ["座机0995-8561234", "(0995) 856 1234", "0995 8561234", "010-62345678", "座机：8561234"],
)
def test_landlines_with_area_codes(text):
    assert kinds(text) == ["landline"]


@pytest.mark.parametrize(
    "text",
    ["家长QQ：284756193", "微信号 ayigul_1988", "WeChat: memet2010", "liuhong1985@163.com"],
)
def test_qq_wechat_and_email_accounts(text):
    assert "contact" in kinds(text)


@pytest.mark.parametrize(
    "text",
    [
        "巴格日村3组5号",
        "上湖村4组",
        "幸福小区3号楼1单元502室",
        "绿洲路128号",
        "No. 7, Group 2, Bageri Village",
        "Room 402, Unit 3, Building 5",
        "3-كەنت 5-نومۇر",
        "Yengisheher kochisi 18-nomur",
    ],
)
def test_house_level_addresses(text):
    assert "address" in kinds(text)


@pytest.mark.parametrize(
    "text",
    [
        "辅导对象：刘子涵，女，10岁",
        "三年级二班的李浩然上课走神",
        "孩子的父亲王建军在外打工",
        "孩子叫李浩然",
        "李浩然这个孩子很内向",
        "阿依古丽·买买提的奶奶",
        "Li Wei (age 9) refused to draw",
        "Spoke with her mother, Zhang Min.",
        "Mehmet (age 8) was reluctant",
        "Balining ismi Aygul.",
        "بالىنىڭ ئىسمى ئايگۈل.",
        "گۈلنار ئابدۇللا (11 ياش) رەسىم سىزدى.",
    ],
)
def test_names_in_context_in_three_languages(text):
    assert "name" in kinds(text)


@pytest.mark.parametrize(
    "text",
    [
        "有的学生宁可沉默也不愿意发言。",
        "孩子胡思乱想，晚上睡不着。",
        "家长觉得孩子金贵，什么都不让做。",
        "督导：陈静",
        "与班主任张老师沟通。",
        "一名10岁女孩起初拒绝参与。",
        "该生本周情绪好转。",
        "小A在角色扮演中很紧张。",
        "某同学提出换座位。",
        "学生小B（化名）情绪好转。",
        "王某某的情况已转介。",
        "分成4组，第2组先完成。",
        "2024-05-16 14:30-16:30，参与儿童12名（9–11岁）。",
        "Supervisor Chen Jing reviewed the plan.",
        "Nazaretchi Gulnar muellim pikir berdi.",
        "بالىلار ئەركىن سۆزلىدى.",
    ],
)
def test_innocent_and_anonymised_text_passes(text):
    assert find_identifying_data(text) == []


def test_names_of_the_systems_users_can_be_allowed():
    assert kinds("王建国点评了活动设计。") == ["name"]
    assert kinds("王建国点评了活动设计。", allowed_names={"王建国"}) == []
    check_text("王建国点评了活动设计。", allowed_names=["王建国"])


def test_findings_point_into_the_original_text():
    text = "电话：１３８９９１２３４５６"
    (finding,) = find_identifying_data(text)
    assert text[finding.start : finding.end] == finding.text == "１３８９９１２３４５６"


def refusal(text: str) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        check_text(text)
    return caught.value


def test_a_refusal_names_what_it_found_masked_and_teaches():
    error = refusal("辅导对象：刘子涵，女，10岁，家长电话13899123456。")
    (message,) = error.messages
    assert error.code == "privacy"
    assert "138****3456" in message and "刘**" in message
    assert "13899123456" not in message and "刘子涵" not in message
    assert "一名10岁女孩" in message and "该生" in message


def test_a_refusal_speaks_the_persons_language(project_translations):
    text = "辅导对象：刘子涵，家长电话13899123456。"
    with translation.override("zh-hans"):
        (chinese,) = refusal(text).messages
    with translation.override("ug"):
        (uyghur,) = refusal(text).messages
    with translation.override("en"):
        (english,) = refusal(text).messages
    assert "一个手机号 138****3456" in chinese and "一个像姓名的词 刘**" in chinese
    assert "138****3456" in uyghur and "ي" in uyghur
    assert "a mobile number 138****3456" in english
    assert len({chinese, uyghur, english}) == 3


def test_every_narrative_field_runs_the_guard_and_labels_do_not():
    assert check_narrative in registered_checks(NARRATIVE)
    assert check_narrative not in registered_checks(LABEL)
    with pytest.raises(ValidationError) as caught:
        REASON.clean("孩子叫李浩然，不愿意参加。")
    assert caught.value.code == "privacy"
    assert PERSON_NAME.clean("李浩然") == "李浩然"


def test_forms_models_and_the_api_refuse_through_the_same_check():
    class Form(forms.Form):
        reason = TextField(REASON)

    form = Form(data={"reason": "家长电话13899123456"})
    assert not form.is_valid()
    assert "138****3456" in form.errors["reason"][0]
    assert form["reason"].value() == "家长电话13899123456"  # the text is kept in the form

    with pytest.raises(ValidationError):
        TextValidator(300, multiline=True)("家长电话13899123456")
    TextValidator(150, purpose=LABEL)("13899123456")

    class Schema(BaseModel):
        reason: api_text(REASON)

    with pytest.raises(PydanticValidationError) as caught:
        Schema(reason="家长电话13899123456")
    assert caught.value.errors()[0]["type"] == "text_privacy"
    assert Schema(reason="一名10岁女孩不愿参加。").reason == "一名10岁女孩不愿参加。"
