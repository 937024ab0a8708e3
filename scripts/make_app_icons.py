"""Draw the installable app's icons (static/icons/*.png) from the favicon's design.

Run ``.venv/bin/python scripts/make_app_icons.py`` after changing the design; the PNGs
are committed. The glyph is static/favicon.svg's (a rounded brand-blue square with a
white "P" and underline, on a 32-unit grid), drawn with Pillow at 4× and scaled down.
"maskable" icons keep the glyph inside the central 80% safe zone and fill the square.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

BRAND = (11, 92, 142, 255)  # #0b5c8e, the site's --brand and the manifest's theme colour
WHITE = (255, 255, 255, 255)
OUT = Path(__file__).resolve().parent.parent / "static" / "icons"


def draw_glyph(draw: ImageDraw.ImageDraw, origin: float, unit: float) -> None:
    """The favicon's path ``M8 22V10h6a4 4 0 0 1 0 8h-6 M18 22h6``, stroke 3, round caps."""

    def p(x, y):
        return (origin + x * unit, origin + y * unit)

    width = round(3 * unit)
    radius = 1.5 * unit

    def line(a, b):
        draw.line([p(*a), p(*b)], fill=WHITE, width=width)
        for x, y in (a, b):
            cx, cy = p(x, y)
            draw.ellipse([cx - radius, cy - radius, cx + radius, cy + radius], fill=WHITE)

    line((8, 22), (8, 10))
    line((8, 10), (14, 10))
    line((14, 18), (8, 18))
    line((18, 22), (24, 22))
    # The bowl of the P: a half circle of radius 4 around (14, 14), on the right.
    outer, inner = 4 * unit + radius, 4 * unit - radius
    cx, cy = p(14, 14)
    draw.pieslice([cx - outer, cy - outer, cx + outer, cy + outer], -90, 90, fill=WHITE)
    draw.pieslice([cx - inner, cy - inner, cx + inner, cy + inner], -90, 90, fill=BRAND)


def icon(size: int, *, maskable: bool) -> Image.Image:
    scale = 4
    big = size * scale
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    if maskable:
        draw.rectangle([0, 0, big, big], fill=BRAND)
        # The 32-unit design fills the central 70% (inside the 80% safe circle).
        unit = big * 0.70 / 32
        origin = big * 0.15
    else:
        unit = big / 32
        origin = 0
        draw.rounded_rectangle([0, 0, big - 1, big - 1], radius=6 * unit, fill=BRAND)
    draw_glyph(draw, origin, unit)
    return image.resize((size, size), Image.LANCZOS)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        icon(size, maskable=False).save(OUT / f"icon-{size}.png", optimize=True)
        icon(size, maskable=True).save(OUT / f"maskable-{size}.png", optimize=True)
    icon(180, maskable=True).convert("RGB").save(OUT / "apple-touch-icon.png", optimize=True)
    print("\n".join(sorted(str(path.relative_to(OUT.parent.parent)) for path in OUT.glob("*.png"))))


if __name__ == "__main__":
    main()
