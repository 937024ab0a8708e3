import pytest
from wagtail.blocks.struct_block import StructBlockValidationError

from courses.blocks import LESSON_BLOCKS, VideoBlock

SPEC_BLOCKS = {
    "rich_text": None,
    "image": {"image", "caption"},
    "video": {"embed_url", "caption"},
    "document": {"document"},
    "callout": {"kind", "text"},
    "activity_plan": {
        "title",
        "objectives",
        "age_band",
        "group_size",
        "duration_minutes",
        "materials",
        "steps",
        "safety_notes",
        "debrief_questions",
    },
    "case_study": {"title", "vignette", "questions"},
    "reflection_prompt": {"prompt", "max_length"},
}


def test_lesson_blocks_have_the_names_and_keys_of_the_content_format():
    blocks = dict(LESSON_BLOCKS)
    assert set(SPEC_BLOCKS) <= set(blocks)
    assert set(blocks) - set(SPEC_BLOCKS) <= {"quiz"}  # added by the quizzes app
    for name, keys in SPEC_BLOCKS.items():
        if keys:
            assert keys <= set(blocks[name].child_blocks), name


@pytest.mark.parametrize("name", list(SPEC_BLOCKS))
def test_every_block_has_icon_template_preview_and_description(name):
    block = dict(LESSON_BLOCKS)[name]
    assert block.meta.icon and block.meta.icon != "placeholder"
    assert block.meta.template.startswith("blocks/")
    assert block.meta.description
    assert block.get_preview_value() is not None


@pytest.mark.parametrize("name", list(SPEC_BLOCKS))
def test_every_block_renders_its_preview_value(db, name):
    block = dict(LESSON_BLOCKS)[name]
    html = block.render(block.normalize(block.get_preview_value()), context={"block_id": "x"})
    assert isinstance(html, str)


def test_activity_plan_shows_steps_with_minutes(db):
    block = dict(LESSON_BLOCKS)["activity_plan"]
    html = block.render(block.normalize(block.get_preview_value()))
    assert "情绪卡片" in html and "30" in html and "不追问个人经历" in html


def test_video_needs_a_file_or_an_embed_url():
    block = VideoBlock()
    with pytest.raises(StructBlockValidationError):
        block.clean(block.to_python({"file": None, "embed_url": "", "caption": "x"}))
    value = block.clean(
        block.to_python({"file": None, "embed_url": "https://video.example/embed/1", "caption": ""})
    )
    assert value["embed_url"]


def test_video_with_embed_url_renders_a_lazy_frame():
    block = VideoBlock()
    html = block.render(
        block.to_python({"file": None, "embed_url": "https://video.example/e/1", "caption": "示范"})
    )
    assert 'loading="lazy"' in html and "https://video.example/e/1" in html


def test_callout_kind_sets_its_style():
    block = dict(LESSON_BLOCKS)["callout"]
    html = block.render(block.to_python({"kind": "warning", "text": "注意安全"}))
    assert "callout-warning" in html and "注意安全" in html
