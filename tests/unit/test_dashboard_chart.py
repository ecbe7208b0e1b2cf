"""The daily volume chart: well-formed, accessible SVG with one bar group per day."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest

from pipeline.web.charts import daily_volume_svg, format_count, nice_ceiling

SVG = "{http://www.w3.org/2000/svg}"
JUNE = [(date(2020, 6, 1) + timedelta(days=n), 0, 0) for n in range(30)]


def parse(markup: str) -> ET.Element:
    return ET.fromstring(markup)  # raises on anything not well-formed


def day_labels(root: ET.Element) -> list[str | None]:
    return [t.text for t in root.iter(f"{SVG}text")
            if t.get("text-anchor") == "middle" and (t.text or "").isdigit()]


def test_each_day_has_a_group_with_its_tooltip_and_bars_to_scale() -> None:
    daily = [(date(2020, 6, 5), 1020, 700), (date(2020, 6, 6), 0, 0), (date(2020, 6, 7), 510, 0)]
    root = parse(daily_volume_svg(daily))
    groups = root.findall(f"{SVG}g[@class='day']")
    assert [g.findtext(f"{SVG}title") for g in groups] == [
        "Jumat, 5 Juni 2020: 1.020 diterima, 700 lengkap",
        "Sabtu, 6 Juni 2020: 0 diterima, 0 lengkap",
        "Minggu, 7 Juni 2020: 510 diterima, 0 lengkap",
    ]
    # Past the invisible hover target: the received bar, then the complete bar in front.
    heights = [[float(r.get("height", 0)) for r in g.findall(f"{SVG}rect")[1:]] for g in groups]
    assert len(heights[0]) == 2 and heights[1] == [] and len(heights[2]) == 1
    assert heights[0][1] / heights[0][0] == pytest.approx(700 / 1020, abs=0.01)
    assert heights[2][0] / heights[0][0] == pytest.approx(0.5, abs=0.01)


def test_chart_is_labelled_for_screen_readers_and_has_no_script_or_style() -> None:
    markup = daily_volume_svg([(date(2020, 6, 1), 3, 2), (date(2020, 6, 2), 5, 5)])
    root = parse(markup)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "volume-title volume-desc"
    assert root.findtext(f"{SVG}title") == "Volume harian"
    assert root.findtext(f"{SVG}desc") == (
        "Pengajuan per hari dari Senin, 1 Juni 2020 sampai Selasa, 2 Juni 2020: 8 diterima, "
        "7 lengkap. Terbanyak Selasa, 2 Juni 2020 dengan 5 pengajuan.")
    # The desk's Content-Security-Policy forbids inline scripts and styles.
    assert "<script" not in markup and "style=" not in markup and "<style" not in markup
    assert "on" not in {name[:2] for element in root.iter() for name in element.attrib}


def test_axes_carry_counts_and_day_numbers() -> None:
    daily = [(d, 40 + n, 20) for n, (d, _r, _c) in enumerate(JUNE)]
    root = parse(daily_volume_svg(daily))
    texts = [t.text for t in root.iter(f"{SVG}text")]
    y_axis = [t.text for t in root.iter(f"{SVG}text") if t.get("text-anchor") == "end"]
    assert y_axis == ["0", "20", "40", "60", "80"]  # the largest day has 69: up to 80 by 20
    assert day_labels(root) == [str(n) for n in range(1, 31)]
    assert "Pengajuan" in texts and "Tanggal" in texts and "Diterima" in texts


def test_a_period_without_mail_says_so() -> None:
    root = parse(daily_volume_svg(JUNE))
    assert root.findtext(f"{SVG}desc") == "Tidak ada pengajuan pada periode ini."
    assert not root.findall(f"{SVG}g[@class='day']")
    assert parse(daily_volume_svg([])).findtext(f"{SVG}desc") == root.findtext(f"{SVG}desc")


def test_long_periods_label_every_few_days() -> None:
    quarter = [(date(2020, 4, 1) + timedelta(days=n), 1, 1) for n in range(91)]
    root = parse(daily_volume_svg(quarter))
    assert len(root.findall(f"{SVG}g[@class='day']")) == 91
    assert day_labels(root) == [str((date(2020, 4, 1) + timedelta(days=n)).day)
                                for n in range(0, 91, 3)]  # every third day


@pytest.mark.parametrize(("value", "expected"), [
    (0, (1, 1)), (1, (1, 1)), (4, (4, 1)), (7, (8, 2)), (69, (80, 20)), (1020, (1500, 500)),
    (21976, (25000, 5000)),
])
def test_nice_ceiling(value: int, expected: tuple[int, int]) -> None:
    assert nice_ceiling(value) == expected


def test_counts_use_the_indonesian_thousands_separator() -> None:
    assert format_count(21976) == "21.976" and format_count(7) == "7"
