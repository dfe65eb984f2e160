"""Step screenshots that read like the article: the element acted on outlined, and a caption."""

from __future__ import annotations

import io
import textwrap
from typing import TypedDict

from PIL import Image, ImageDraw, ImageFont

ACCENT = (229, 160, 13)
CAPTION_BG = (18, 18, 18)
CAPTION_FG = (240, 240, 240)
FONT_SIZE = 18
PADDING = 12


class Box(TypedDict):
    x: float
    y: float
    width: float
    height: float


def annotate(png: bytes, caption: str, box: Box | None = None) -> bytes:
    """``png`` with ``box`` outlined in Plex orange and ``caption`` in a band above the page."""
    shot = Image.open(io.BytesIO(png)).convert("RGB")
    font = ImageFont.load_default(size=FONT_SIZE)
    chars_per_line = max(20, int(shot.width / (FONT_SIZE * 0.55)))
    lines = textwrap.wrap(caption, chars_per_line) or [""]
    line_height = FONT_SIZE + 6
    band = PADDING * 2 + line_height * len(lines)
    canvas = Image.new("RGB", (shot.width, shot.height + band), CAPTION_BG)
    canvas.paste(shot, (0, band))
    draw = ImageDraw.Draw(canvas)
    for i, line in enumerate(lines):
        draw.text((PADDING, PADDING + i * line_height), line, fill=CAPTION_FG, font=font)
    draw.rectangle([(0, band - 3), (shot.width, band - 1)], fill=ACCENT)
    if box is not None:
        left, top = box["x"] - 4, box["y"] + band - 4
        right, bottom = box["x"] + box["width"] + 4, box["y"] + box["height"] + band + 4
        draw.rounded_rectangle([(left, top), (right, bottom)], radius=6, outline=ACCENT, width=4)
    out = io.BytesIO()
    # Pillow's optimize pass costs a few hundred milliseconds a picture for a few percent.
    canvas.save(out, format="PNG")
    return out.getvalue()
