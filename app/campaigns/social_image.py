"""The preview card a shared campaign link shows (Open Graph / Twitter): a PNG of 1200 × 630
with the title, the progress and the fund's name, drawn on the server with Pillow.

Drawn once per change of what it shows (the campaign's figures_version and changed_at are
in the key) and kept in the process, bounded; a crawler that asks again gets a 304.
"""

from __future__ import annotations

import io
import threading
from collections import OrderedDict
from collections.abc import Hashable
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 1200, 630
MAX_IMAGES = 256
_FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
_images: OrderedDict[Hashable, bytes] = OrderedDict()
_lock = threading.Lock()


@lru_cache(maxsize=16)
def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """DejaVu Sans where the system has it (accents, €), else Pillow's own scalable font."""
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    for folder in _FONT_DIRS:
        if (folder / name).exists():
            return ImageFont.truetype(str(folder / name), size)
    return ImageFont.load_default(size=size)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font, width: int, max_lines: int) -> list[str]:
    """Words on lines no wider than `width`; an ellipsis when more would not fit."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}".strip()
        if draw.textlength(trial, font=font) <= width:
            current = trial
            continue
        if current:
            lines.append(current)
        current = word
        if len(lines) == max_lines:
            break
    if current and len(lines) < max_lines:
        lines.append(current)
    if len(lines) == max_lines and " ".join(lines) != " ".join(text.split()):
        while lines[-1] and draw.textlength(lines[-1] + " …", font=font) > width:
            lines[-1] = lines[-1].rsplit(" ", 1)[0] if " " in lines[-1] else lines[-1][:-1]
        lines[-1] += " …"
    return lines


def _rgb(colour: str) -> tuple[int, int, int]:
    value = colour.lstrip("#")
    if len(value) != 6:
        return (11, 93, 59)
    return tuple(int(value[i : i + 2], 16) for i in (0, 2, 4))  # type: ignore[return-value]


def draw(title: str, percent: int, figures_line: str, days_line: str, fund_name: str, colour: str) -> bytes:
    """The card as PNG bytes."""
    accent = _rgb(colour)
    image = Image.new("RGB", (WIDTH, HEIGHT), (255, 255, 255))
    pen = ImageDraw.Draw(image)
    pen.rectangle((0, 0, WIDTH, 18), fill=accent)
    margin = 72
    y = 80
    for line in _wrap(pen, title, _font(64, bold=True), WIDTH - 2 * margin, 3):
        pen.text((margin, y), line, font=_font(64, bold=True), fill=(20, 20, 20))
        y += 80
    bar_top = max(y + 30, 360)
    pen.rounded_rectangle((margin, bar_top, WIDTH - margin, bar_top + 36), radius=18, fill=(226, 232, 228))
    filled = int((WIDTH - 2 * margin) * min(max(percent, 0), 100) / 100)
    if filled > 0:
        pen.rounded_rectangle(
            (margin, bar_top, margin + max(filled, 36), bar_top + 36), radius=18, fill=accent
        )
    pen.text((margin, bar_top + 60), figures_line, font=_font(40, bold=True), fill=(20, 20, 20))
    if days_line:
        pen.text((margin, bar_top + 112), days_line, font=_font(34), fill=(60, 60, 60))
    pen.rectangle((0, HEIGHT - 90, WIDTH, HEIGHT), fill=accent)
    pen.text((margin, HEIGHT - 68), fund_name, font=_font(40, bold=True), fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def cached(key: Hashable, render) -> bytes:
    """`render()`'s PNG, drawn once per key in this process (least recently used out first)."""
    with _lock:
        body = _images.get(key)
        if body is not None:
            _images.move_to_end(key)
            return body
    body = render()
    with _lock:
        _images[key] = body
        while len(_images) > MAX_IMAGES:
            _images.popitem(last=False)
    return body


def clear() -> None:
    with _lock:
        _images.clear()
