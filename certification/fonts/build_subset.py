"""Build the certificate's Chinese font: Noto Sans CJK SC cut to the characters certificates use.

    .venv/bin/python certification/fonts/build_subset.py

Reads Debian's fonts-noto-cjk collection (face 2, "Noto Sans CJK SC", Regular) and keeps
every character of GB 2312 (the 6,763 hanzi of level 1 and 2, which cover nearly every
name), ASCII, Latin-1, general and CJK punctuation and full-width forms, with the default
OpenType features. The family is renamed "Noto Sans CJK SC Certificate" so that it never
shadows the system font. Licence: SIL Open Font License 1.1 (OFL.txt beside this file).

Why: WeasyPrint keeps glyph ids when it subsets a font for a PDF, so with the 65,535-glyph
collection every certificate pays for the whole glyph table (about 150 KB and most of the
render time). Against this ~7,500-glyph font the same certificate is about three times
faster and smaller. A character outside GB 2312 (a rare name) is drawn from the full system
font, which the stylesheet names second, so nothing is ever missing.
"""

from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

SOURCE = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
FACE = 2  # Noto Sans CJK SC
TARGET = Path(__file__).resolve().parent / "NotoSansCJKsc-Certificate.otf"
FAMILY = "Noto Sans CJK SC Certificate"

RANGES = [
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x017F),  # Latin-1 and Latin Extended-A
    (0x2000, 0x206F),  # general punctuation
    (0x2100, 0x214F),  # letter-like symbols (№)
    (0x3000, 0x303F),  # CJK symbols and punctuation
    (0xFF00, 0xFFEF),  # full-width forms
]


def characters() -> set[int]:
    chars = {cp for first, last in RANGES for cp in range(first, last + 1)}
    for cp in range(0x4E00, 0xA000):
        try:
            chr(cp).encode("gb2312")
        except UnicodeEncodeError:
            continue
        chars.add(cp)
    return chars


def main() -> None:
    font = TTFont(SOURCE, fontNumber=FACE)
    assert font["name"].getDebugName(4) == "Noto Sans CJK SC"
    options = subset.Options()
    options.notdef_outline = True
    options.name_IDs = ["*"]
    options.name_languages = [0x409]
    options.hinting = False
    # No "locl" or alternates: the face is already Simplified Chinese, and every extra
    # glyph makes each PDF bigger (WeasyPrint keeps glyph ids).
    options.layout_features = ["kern", "ccmp"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=characters())
    subsetter.subset(font)
    for record in font["name"].names:
        if record.nameID in (1, 4, 16):
            record.string = FAMILY
        elif record.nameID == 6:
            record.string = "NotoSansCJKsc-Certificate"
    font.save(TARGET)
    print(f"{TARGET.name}: {font['maxp'].numGlyphs} glyphs, {TARGET.stat().st_size} bytes")


if __name__ == "__main__":
    main()
