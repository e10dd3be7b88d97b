"""Server-side SVG charts: no JavaScript, readable by screen readers (title, desc, a table
next to every chart holds the same numbers)."""

from __future__ import annotations

from markupsafe import Markup, escape

from app.core.money import format_cents

RAISED, MATCHED, GOAL = "#0b5d3b", "#0a4a8f", "#8a8a80"


def _euro(cents: int) -> str:
    return format_cents(cents)


def _text(x, y, content, size=12, anchor="start") -> str:
    return f'<text x="{x}" y="{y}" font-size="{size}" text-anchor="{anchor}">{escape(content)}</text>'


def _rect(x, y, w, h, fill) -> str:
    return f'<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="{fill}"/>'


def bars(rows: list[dict], title: str, labels: tuple[str, str], width: int = 640) -> Markup:
    """Horizontal paired bars: raised and matched for each row {label, raised_cents,
    matched_cents}. The scale is the largest raised + matched."""
    bar_h, gap, left, top = 14, 14, 190, 34
    scale = max([r["raised_cents"] + r["matched_cents"] for r in rows] + [1])
    span = width - left - 120
    height = top + len(rows) * (2 * bar_h + gap) + 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" '
        f'width="100%" class="chart">',
        f"<title>{escape(title)}</title>",
        f'<rect x="{left}" y="6" width="12" height="12" fill="{RAISED}"/>'
        f'<text x="{left + 18}" y="17" font-size="12">{escape(labels[0])}</text>'
        f'<rect x="{left + 150}" y="6" width="12" height="12" fill="{MATCHED}"/>'
        f'<text x="{left + 168}" y="17" font-size="12">{escape(labels[1])}</text>',
    ]
    y = top
    for r in rows:
        parts.append(_text(left - 8, y + bar_h + 4, _short(r["label"]), anchor="end"))
        for value, colour, offset in ((r["raised_cents"], RAISED, 0), (r["matched_cents"], MATCHED, bar_h)):
            w = max(0, round(span * value / scale))
            parts.append(_rect(left, y + offset, w, bar_h - 2, colour))
            parts.append(_text(left + w + 6, y + offset + bar_h - 3, _euro(value), size=11))
        y += 2 * bar_h + gap
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text in it went through escape()


def _short(label) -> str:
    label = str(label)
    return label if len(label) <= 28 else label[:27] + "…"


def progress(rows: list[dict], title: str, width: int = 640) -> Markup:
    """One bar per campaign: raised (and matched on top) against the goal line (100%)."""
    bar_h, gap, left, top = 16, 10, 190, 10
    span = width - left - 70
    height = top + len(rows) * (bar_h + gap) + 10
    parts = [_svg_open(width, height), f"<title>{escape(title)}</title>"]
    goal_x = left + round(span * 100 / 150)
    y = top
    for r in rows:
        goal = max(int(r.get("goal_cents") or 0), 1)
        pct = 100 * r["raised_cents"] / goal
        w_raised = min(span, round(span * min(pct, 150) / 150))
        w_match = min(span - w_raised, round(span * min(100 * r["matched_cents"] / goal, 150) / 150))
        parts.append(_text(left - 8, y + bar_h - 3, _short(r["label"]), anchor="end"))
        parts.append(_rect(left, y, span, bar_h, "#e3e3dc"))
        parts.append(_rect(left, y, w_raised, bar_h, RAISED))
        parts.append(_rect(left + w_raised, y, w_match, bar_h, MATCHED))
        parts.append(f'<line x1="{goal_x}" x2="{goal_x}" y1="{y - 2}" y2="{y + bar_h + 2}" ')
        parts.append(f'stroke="{GOAL}" stroke-width="2"/>')
        parts.append(_text(left + span + 6, y + bar_h - 3, f"{int(pct)}%"))
        y += bar_h + gap
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text in it went through escape()


def _svg_open(width: int, height: int) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" '
        f'width="100%" class="chart">'
    )
