"""The dashboard's chart of daily volume, as inline SVG markup.

Pure: days in, markup out. No script and no style attributes (the desk's
Content-Security-Policy allows neither inline): colours are SVG presentation
attributes, tooltips are <title> elements, and the chart carries a title and
a description for screen readers.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import date
from html import escape

MONTHS_ID = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
             "September", "Oktober", "November", "Desember")
DAYS_ID = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")

WIDTH, HEIGHT = 760, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 34, 44
RECEIVED_FILL = "#9cc3dc"
COMPLETE_FILL = "#1e7b34"
INK, MUTED, GRID = "#1d2430", "#5b6575", "#d8dde5"


def format_count(value: int) -> str:
    """12.345: the Indonesian thousands separator."""
    return f"{value:,}".replace(",", ".")


def format_day(day: date) -> str:
    return f"{DAYS_ID[day.weekday()]}, {day.day} {MONTHS_ID[day.month - 1]} {day.year}"


def nice_ceiling(value: int) -> tuple[int, int]:
    """(top of the axis, tick step): 1, 2 or 5 times a power of ten, four or five ticks."""
    if value <= 0:
        return 1, 1
    for power in range(0, 12):
        for base in (1, 2, 5):
            step = base * 10 ** power
            if step * 5 >= value:
                return step * math.ceil(value / step), step
    raise ValueError(f"count too large for the chart: {value}")


def daily_volume_svg(daily: Sequence[tuple[date, int, int]]) -> str:
    """Bars per day: received (light) with the complete part (dark) in front."""
    received_total = sum(r for _d, r, _c in daily)
    complete_total = sum(c for _d, _r, c in daily)
    head = (f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" role="img" '
            f'viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" '
            f'aria-labelledby="volume-title volume-desc" font-family="sans-serif" '
            f'font-size="11">')
    title = '<title id="volume-title">Volume harian</title>'
    if not daily or received_total == 0:
        desc = "Tidak ada pengajuan pada periode ini."
        return (f'{head}{title}<desc id="volume-desc">{desc}</desc>'
                f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle" '
                f'fill="{MUTED}">{desc}</text></svg>')
    busiest = max(daily, key=lambda row: row[1])
    desc = (f"Pengajuan per hari dari {format_day(daily[0][0])} sampai {format_day(daily[-1][0])}:"
            f" {format_count(received_total)} diterima, {format_count(complete_total)} lengkap."
            f" Terbanyak {format_day(busiest[0])} dengan {format_count(busiest[1])} pengajuan.")
    parts = [head, title, f'<desc id="volume-desc">{escape(desc)}</desc>']
    top, step = nice_ceiling(max(r for _d, r, _c in daily))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def y_of(value: int) -> float:
        return TOP + plot_h - plot_h * value / top

    parts.append('<g aria-hidden="true">')
    for tick in range(0, top + 1, step):
        y = y_of(tick)
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
                     f'stroke="{GRID}"/>'
                     f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" '
                     f'fill="{MUTED}">{format_count(tick)}</text>')
    parts.append(f'<text x="14" y="{TOP + plot_h / 2:.1f}" text-anchor="middle" fill="{MUTED}" '
                 f'transform="rotate(-90 14 {TOP + plot_h / 2:.1f})">Pengajuan</text>'
                 f'<text x="{LEFT + plot_w / 2:.1f}" y="{HEIGHT - 6}" text-anchor="middle" '
                 f'fill="{MUTED}">Tanggal</text>')
    parts.append(_legend())
    parts.append('</g>')

    slot = plot_w / len(daily)
    label_every = max(1, math.ceil(len(daily) / 31))
    for index, (day, received, complete) in enumerate(daily):
        x = LEFT + index * slot
        tip = (f"{format_day(day)}: {format_count(received)} diterima, "
               f"{format_count(complete)} lengkap")
        parts.append(f'<g class="day"><title>{escape(tip)}</title>'
                     # A full-height transparent target, so the tooltip shows on empty days too.
                     f'<rect x="{x:.1f}" y="{TOP}" width="{slot:.1f}" height="{plot_h}" '
                     f'fill="#fff" fill-opacity="0"/>'
                     + _bar(x + slot * 0.1, slot * 0.8, received, y_of, RECEIVED_FILL)
                     + _bar(x + slot * 0.25, slot * 0.5, complete, y_of, COMPLETE_FILL)
                     + '</g>')
        if index % label_every == 0:
            weekend = day.weekday() >= 5
            parts.append(f'<text x="{x + slot / 2:.1f}" y="{TOP + plot_h + 14}" '
                         f'text-anchor="middle" aria-hidden="true" '
                         f'fill="{MUTED if weekend else INK}">{day.day}</text>')
    parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{TOP + plot_h}" '
                 f'y2="{TOP + plot_h}" stroke="{MUTED}" aria-hidden="true"/>')
    parts.append('</svg>')
    return "".join(parts)


def _bar(x: float, width: float, value: int, y_of: Callable[[int], float], fill: str) -> str:
    if value <= 0:
        return ""
    top, bottom = y_of(value), y_of(0)
    return (f'<rect x="{x:.1f}" y="{top:.1f}" width="{width:.1f}" '
            f'height="{bottom - top:.1f}" fill="{fill}"/>')


def _legend() -> str:
    return (f'<rect x="{LEFT}" y="10" width="12" height="12" fill="{RECEIVED_FILL}"/>'
            f'<text x="{LEFT + 17}" y="20" fill="{INK}">Diterima</text>'
            f'<rect x="{LEFT + 90}" y="10" width="12" height="12" fill="{COMPLETE_FILL}"/>'
            f'<text x="{LEFT + 107}" y="20" fill="{INK}">Lengkap</text>')
