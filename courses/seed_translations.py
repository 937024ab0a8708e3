"""Uyghur translations the seed makes (issue 16), as drafts awaiting a native speaker's review.

The shared foundation course on ethics, confidentiality and child protection: the course,
its two modules and the two lessons of the first module. They were translated carefully
but not by a native speaker, so they are saved as **draft revisions, never published**:
a native Uyghur speaker reviews them in the admin (wagtail-localize's editor or the page
editor) and they go live through the course review workflow like any change. The other
lessons of the course, and every other course, stay visibly untranslated (learners see
the Chinese original with a notice). A re-seed never overwrites a translation that exists.

Block ids are the original's (``copy_for_translation`` keeps them), so a lesson's blocks
are the same blocks in both languages; a block not translated here keeps the original.
"""

from __future__ import annotations

from wagtail.models import Locale

from .curriculum import ETHICS

UYGHUR_CODE = "ug"

# position in the lesson body -> the translated value (rich text HTML, or a callout's text)
UYGHUR = {
    ETHICS: {
        "title": "ئەخلاق، مەخپىيەتلىك ۋە بالىلارنى قوغداش",
        "summary": (
            "قىيىنچىلىقتىكى بالىلارغا مۇلازىمەت قىلىشنىڭ ئەخلاق پرىنسىپلىرى، شەخسىي ئۇچۇرلارنى"
            " قوغداش تەلەپلىرى، مەجبۇرىي دوكلات قىلىش تۈزۈمى ۋە يۆتكەپ تونۇشتۇرۇش تەرتىپىنى"
            " ئىگىلەپ، ھەر بىر پائالىيەتتە بالىلارنىڭ بىخەتەرلىكى ۋە ئىززەت-ھۆرمىتىنى قوغداش."
        ),
        "objectives": [
            "بالىلارنىڭ مەنپەئىتىنى ئالدىنقى ئورۇنغا قويۇش، زىيان يەتكۈزمەسلىك، ئىختىيارىيلىق ۋە"
            " ئۇقۇپ تۇرۇپ قوشۇلۇش، كەسپىي چېگرا قاتارلىق ئەخلاق پرىنسىپلىرىنى سۆزلەپ بېرەلەيدۇ",
            "«شەخسىي ئۇچۇرلارنى قوغداش قانۇنى»نىڭ تەلىپى بويىچە بالىلارنىڭ ئۇچۇرلىرىنى بىر تەرەپ"
            " قىلىدۇ: 14 ياشقا توشمىغان بالىلارنىڭ شەخسىي ئۇچۇرلىرى سەزگۈر شەخسىي ئۇچۇرغا تەۋە",
            "بالا زىيانكەشلىككە ئۇچرىغانلىقىنى ئېيتقاندا مۇۋاپىق جاۋاب قايتۇرىدۇ ھەمدە مەجبۇرىي"
            " دوكلات قىلىش تۈزۈمى بويىچە ۋاقتىدا دوكلات قىلىدۇ",
            "يەرلىكتىكى يۆتكەپ تونۇشتۇرۇش يوللىرىنى بىلىدۇ، بالا ۋە ئائىلىگە مۇۋاپىق ياردەم تاپالايدۇ",
        ],
        "modules": [
            {
                "title": "ئەخلاق ۋە مەخپىيەتلىك",
                "lessons": [
                    {
                        "title": "مۇلازىمەت ئەخلاقىنىڭ ئاساسىي پرىنسىپلىرى",
                        "body": {
                            0: (
                                "<p>بىز مۇلازىمەت قىلىدىغان بالىلارنىڭ بەزىلىرى ئاتا-ئانىسىدىن ئايرىلغان،"
                                " بەزىلىرى كېسەل ياكى مېيىپ، بەزىلىرى بىخەتەر بولمىغان ئائىلىدە ياشايدۇ."
                                " ئۇلار باشقا بالىلارغا قارىغاندا زىيانغا ئاسانراق ئۇچرايدۇ، شۇڭا ھەر بىر"
                                " لېكتور تۆۋەندىكى پرىنسىپلارغا چوقۇم ئەمەل قىلىشى كېرەك.</p>"
                                "<ol><li><strong>بالىلارنىڭ مەنپەئىتىنى ئالدىنقى ئورۇنغا قويۇش:</strong>"
                                " ھەر قانداق قارار چىقىرىشتىن بۇرۇن ئالدى بىلەن «بۇ بالا ئۈچۈن ئەڭ"
                                " ياخشىمۇ؟» دەپ سوراڭ؛ پائالىيەت، تەشۋىقات ياكى ئۆزىڭىز ئۈچۈن ئەڭ"
                                " قولايلىق بولغىنىنى ئەمەس.</li>"
                                "<li><strong>زىيان يەتكۈزمەسلىك:</strong> بالىلارنى كۆپچىلىك ئالدىدا"
                                " ئازابلىق كەچۈرمىشلىرىنى سۆزلەشكە مەجبۇرلىماڭ، قورقۇنچ پەيدا قىلىدىغان"
                                " ماتېرىياللارنى ئىشلەتمەڭ، بالىلارنى «بىچارە مىسال» قىلىپ"
                                " كۆرسەتمەڭ.</li>"
                                "<li><strong>ئىختىيارىيلىق ۋە ئۇقۇپ تۇرۇپ قوشۇلۇش:</strong> پائالىيەتتىن"
                                " بۇرۇن ۋەسىينىڭ قوشۇلۇشىنى ئېلىڭ؛ بالىغىمۇ ئۇ چۈشىنەلەيدىغان سۆزلەر"
                                " بىلەن نېمە قىلىدىغانلىقىنى چۈشەندۈرۈڭ، بالا مەلۇم بىر باسقۇچقا"
                                " قاتناشماسلىقنى تاللىيالايدۇ.</li>"
                                "<li><strong>مەدەنىيەت ۋە تىلنى ھۆرمەتلەش:</strong> ھەر مىللەت"
                                " ئائىلىلىرىنىڭ ئادەتلىرىنى ھۆرمەتلەڭ، بالىلارنىڭ ئۆزى ئەڭ پىششىق"
                                " بىلىدىغان تىلدا ئىپادىلىشىگە يول قويۇڭ، زۆرۈر تېپىلغاندا قوش تىللىق"
                                " ياردەمچى ئورۇنلاشتۇرۇڭ.</li>"
                                "<li><strong>كەسپىي چېگرا:</strong> ئائىلىلەردىن سوۋغات ۋە پۇل-مال قوبۇل"
                                " قىلماڭ؛ بالا بىلەن يېپىق ئۆيدە يالغۇز قالماڭ؛ بالىلارنى شەخسىي ئىجتىمائىي"
                                " ئالاقە ھېساباتىڭىزغا قوشماڭ؛ بالىلارنىڭ رەسىملىرىنى شەخسىي دوستلار"
                                " چەمبىرىكىڭىزگە يوللىماڭ.</li></ol>"
                                "<p>ئېنىق بىلەلمىگەن ئەھۋالغا يولۇققاندا، ئالدى بىلەن توختاپ، نازارەتچى"
                                " ياكى تۈر مەسئۇلىدىن مەسلىھەت سوراڭ. ياردەم سوراش كەسپىيلىكنىڭ ئىپادىسى،"
                                " قابىلىيەتسىزلىك ئەمەس.</p>"
                            ),
                        },
                    },
                    {
                        "title": "مەخپىيەتلىك ۋە بالىلارنىڭ شەخسىي ئۇچۇرلىرىنى قوغداش",
                        "body": {
                            0: (
                                "<p>«شەخسىي ئۇچۇرلارنى قوغداش قانۇنى»غا ئاساسەن، <strong>14 ياشقا"
                                " توشمىغان قۇرامىغا يەتمىگەنلەرنىڭ شەخسىي ئۇچۇرلىرى سەزگۈر شەخسىي"
                                " ئۇچۇرغا تەۋە</strong>، بۇ خىل ئۇچۇرلارنى بىر تەرەپ قىلىشتا ئۇلارنىڭ"
                                " ئاتا-ئانىسى ياكى باشقا ۋەسىيلىرىنىڭ قوشۇلۇشىنى ئېلىش ھەمدە قاتتىق"
                                " قوغداش تەدبىرلىرىنى قوللىنىش كېرەك. بالىلارنىڭ قىيىن ئەھۋالى (مەسىلەن،"
                                " ئاتا-ئانىسىنىڭ جازا ئۆتەۋاتقانلىقى، كېسەللىكى، ئائىلە زوراۋانلىقى)"
                                " تېخىمۇ يۇقىرى دەرىجىدە سەزگۈر.</p>"
                                "<h3>خىزمەتتە قانداق قىلىش كېرەك</h3>"
                                "<ul><li>بۇ سۇپىدىكى ئەمەلىيەت خاتىرىلىرى، تاپشۇرۇقلار ۋە مۇزاكىرە"
                                " رايونىدا <strong>بالىلارنىڭ ئىسمىنى ھەرگىز يازماڭ</strong>، مەكتەپ-سىنىپى،"
                                " ئادرېسى، كىملىك نومۇرى، تېلېفون نومۇرى، رەسىمى قاتارلىق بالىنى تونۇغىلى"
                                " بولىدىغان ئۇچۇرلارنىمۇ يازماڭ. پەقەت ئادەم سانى، ياش باسقۇچى ۋە نامسىز"
                                " تەسۋىرنىلا خاتىرىلەڭ، مەسىلەن: «A بالا، 10 ياش».</li>"
                                "<li>قەغەز قوشۇلۇش خېتى ۋە ئىمزا جەدۋىلىنى ئىشكاپقا قۇلۇپلاپ قويۇڭ،"
                                " تۈرنىڭ تەلىپى بويىچە ساقلاڭ ۋە يوقىتىڭ، رەسىمگە تارتىپ پاراڭلىشىش"
                                " گۇرۇپپىسىغا يوللىماڭ.</li>"
                                "<li>تەشۋىقات رەسىملىرىدە پەقەت ئارقا كۆرۈنۈش، قول ياكى پائالىيەت"
                                " مەنزىرىسىنىلا تارتىڭ، بالىلارنىڭ چىرايىنى تارتماڭ، تونۇغىلى بولىدىغان"
                                " چۈشەندۈرۈش خېتى قوشماڭ.</li>"
                                "<li>خىزمەتداشلار بىلەن ئەھۋال مۇزاكىرە قىلغاندا پەقەت خىزمەتكە"
                                " كېرەكلىك مەزمۇننىلا سۆزلەڭ، ئاممىۋى سورۇنلاردا بالىلارنىڭ ئائىلە"
                                " ئەھۋالىنى سۆزلىمەڭ.</li></ul>"
                                "<h3>مەخپىيەتلىكنىڭ مۇستەسنالىرى</h3>"
                                "<p>مەخپىيەتلىك شەرتسىز ئەمەس. بالا <strong>ئۆزىگە زىيان يەتكۈزۈشى،"
                                " باشقىلارغا زىيان يەتكۈزۈشى ياكى زىيانكەشلىككە ئۇچراۋاتقان</strong>"
                                " بولۇشى مۇمكىن بولغاندا، بىز چوقۇم ئۇنى قوغدىيالايدىغان كىشىلەرگە"
                                " ئېيتىشىمىز كېرەك. پائالىيەت باشلانغاندىلا بالىلار چۈشىنەلەيدىغان سۆزلەر"
                                " بىلەن بۇنى چۈشەندۈرۈڭ: «سىلەرنىڭ دېگەنلىرىڭلارنى مەخپىي تۇتىمەن، لېكىن"
                                " بىرەرسى ساڭا زىيان يەتكۈزگەنلىكىنى ياكى سېنىڭ خەۋپكە ئۇچرىشىڭ"
                                " مۇمكىنلىكىنى بىلسەم، سېنى قوغدىيالايدىغان چوڭلاردىن ياردەم"
                                " سورايمەن.»</p>"
                            ),
                            1: (
                                "مەخپىيەتلىكنى ساقلاش مەسئۇلىيىتى ھەر بىر لېكتورنىڭ ئۆزىدە. بىر خاتىرىنى"
                                " يېزىپ بولغاندىن كېيىن، ئالدى بىلەن ئۆزىڭىزدىن سوراڭ: باشقىلار بۇنى"
                                " كۆرۈپ بۇ بالىنى تونۇۋالالامدۇ؟ ئەگەر تونۇيالىسا، ئۆچۈرۈڭ ياكى نامسىز"
                                " تەسۋىرگە ئۆزگەرتىڭ."
                            ),
                        },
                    },
                ],
            },
            {
                "title": "بالىلارنى قوغداش: بايقاش، جاۋاب قايتۇرۇش، دوكلات قىلىش، يۆتكەپ تونۇشتۇرۇش",
                "lessons": [],
            },
        ],
    },
}


def _translated_body(source_body, translated: dict[int, str]) -> list[dict]:
    """The original's stream (same block ids) with the translated blocks' text replaced."""
    blocks = []
    for position, block in enumerate(source_body.raw_data):
        block = dict(block)
        text = translated.get(position)
        if text is not None and block.get("type") == "rich_text":
            block["value"] = text
        elif text is not None and block.get("type") == "callout":
            block["value"] = {**block["value"], "text": text}
        blocks.append(block)
    return blocks


def _draft(page, locale, **fields):
    """A draft translation of ``page`` with ``fields``; None when one exists already."""
    if page.get_translation_or_none(locale) is not None:
        return None
    translation = page.copy_for_translation(locale, copy_parents=True)
    for name, value in fields.items():
        setattr(translation, name, value)
    translation.save_revision()  # a draft: validated (text policies) but not published
    return translation


def seed_translations(courses: dict) -> int:
    """Make the Uyghur drafts of UYGHUR for the courses given (by slug); returns how many
    pages were translated now (0 on a re-seed)."""
    locale = Locale.objects.filter(language_code=UYGHUR_CODE).first()
    if locale is None:
        return 0
    made = 0
    for slug, texts in UYGHUR.items():
        course = courses.get(slug)
        if course is None:
            continue
        if _draft(
            course,
            locale,
            title=texts["title"],
            summary=texts["summary"],
            objectives="\n".join(texts["objectives"]),
        ):
            made += 1
        modules = list(course.get_children().specific().order_by("path"))
        for module, module_texts in zip(modules, texts["modules"], strict=False):
            if _draft(module, locale, title=module_texts["title"]):
                made += 1
            lessons = list(module.get_children().specific().order_by("path"))
            for lesson, lesson_texts in zip(lessons, module_texts["lessons"], strict=False):
                body = _translated_body(lesson.body, lesson_texts["body"])
                if _draft(lesson, locale, title=lesson_texts["title"], body=body):
                    made += 1
    return made
