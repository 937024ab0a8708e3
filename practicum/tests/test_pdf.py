"""The printable practicum record: Chinese text extracted back, CJK font embedded."""

import io

import pytest
from pypdf import PdfReader

from practicum import services
from practicum.pdf import render_record
from practicum.selectors import ledger

from .factories import EntryFactory, VenueFactory, activity


@pytest.fixture
def record(placement, supervisor, trainee, district):
    trainee.real_name = "李娜"
    trainee.save()
    supervisor.real_name = "陈静"
    supervisor.save()
    venue = VenueFactory(name="高昌区葡萄镇中心小学", district=district)
    EntryFactory(
        placement=placement,
        venue=venue,
        state="approved",
        reviewed_by=supervisor,
        topic="child_emotions",
        activity_type=activity("children_activity"),
        description="开展情绪主题活动，一名9岁男孩主动分享。",
    )
    EntryFactory(placement=placement, state="submitted", description="尚未审核的记录不应出现")
    evaluation = services.start_evaluation(
        placement=placement, supervisor=supervisor, stage="final"
    )
    services.save_evaluation(
        evaluation=evaluation,
        supervisor=supervisor,
        ratings={r.rubric_item_id: (4, "") for r in evaluation.ratings.all()},
    )
    services.sign_evaluation(evaluation=evaluation, supervisor=supervisor, signed_name="陈静")
    return render_record(ledger(trainee, "counsellor"))


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_record_lists_approved_entries_and_signed_evaluations_in_chinese(record):
    text = "".join(text_of(record).split())
    for expected in (
        "李娜",
        "陈静",
        "高昌区葡萄镇中心小学",
        "我能打败情绪小怪兽",
        "实践记录",
        "建立关系与沟通",
    ):
        assert expected in text, expected
    assert "尚未审核" not in text
    assert "4.00" in text  # the mean rating


def test_record_embeds_noto_sans_cjk(record):
    reader = PdfReader(io.BytesIO(record))
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    assert any("NotoSansCJKSC" in name.replace("-", "") for name in fonts), fonts
    assert record[:5] == b"%PDF-"
    assert len(record) < 500_000


def test_record_text_with_pdfplumber(record):
    import pdfplumber

    with pdfplumber.open(io.BytesIO(record)) as pdf:
        words = "".join(page.extract_text() or "" for page in pdf.pages)
    assert "李娜" in words and "陈静" in words
