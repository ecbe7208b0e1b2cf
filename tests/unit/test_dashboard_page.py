"""The dashboard template: every figure shown with its Indonesian label, user text escaped."""

from __future__ import annotations

from datetime import date
from html.parser import HTMLParser
from importlib import resources

from jinja2 import Environment, FileSystemLoader, select_autoescape

from pipeline.store.dashboard import BranchFigures, DashboardFigures
from pipeline.web.charts import daily_volume_svg
from pipeline.web.labels import RULE_TITLES

FIGURES = DashboardFigures(
    received=21976, complete=15400, incomplete=3950, needs_review=1750, rejected=876,
    median_minutes_to_decision=13.4, straight_through_rate=0.6975,
    top_findings=[("DOC-003", "Form F5 missing", 1210), ("QUAL-001", "Page unreadable", 480)],
    daily=[(date(2020, 6, 1), 1020, 700), (date(2020, 6, 2), 0, 0)],
    per_branch=[
        BranchFigures("balikpapan", "Kalimantan Timur", 2704, 1984, 540, 38, 142, 14.2, 0.686),
        BranchFigures("tarakan", "Kalimantan Utara", 0, 0, 0, 0, 0, None, None),
    ],
)


def render(**overrides: object) -> str:
    env = Environment(loader=FileSystemLoader(str(resources.files("pipeline.web") / "templates")),
                      autoescape=select_autoescape())
    env.globals["RULE_TITLES"] = RULE_TITLES  # as pipeline.web.app sets it
    context: dict[str, object] = {
        "dash": FIGURES, "chart_svg": daily_volume_svg(FIGURES.daily),
        "period_start": date(2020, 6, 1), "period_end": date(2020, 6, 30),
        "scope_label": "Kalimantan", "selected_branch": "tarakan", "selected_province": None,
        "branches": [("balikpapan", "Kantor Cabang Balikpapan"),
                     ("tarakan", "Kantor Cabang Tarakan")],
        "provinces": ["Kalimantan Timur", "Kalimantan Utara"],
        "csv_url": "/dasbor.csv?start=2020-06-01&end=2020-06-30",
    }
    context.update(overrides)
    return env.get_template("dashboard.html").render(**context)


class Text(HTMLParser):
    """The visible text, one string per text node, stripped."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.parts.append(" ".join(data.split()))


def texts(html: str) -> list[str]:
    parser = Text()
    parser.feed(html)
    return parser.parts


def test_summary_cards_show_each_figure_with_its_label() -> None:
    shown = texts(render())
    for label, value in (("Diterima", "21.976"), ("Lengkap", "15.400"),
                         ("Belum lengkap", "3.950"), ("Perlu diperiksa", "1.750"),
                         ("Ditolak", "876"), ("Median waktu ke keputusan", "13 menit"),
                         ("Tingkat langsung-selesai", "69,8 %")):
        index = shown.index(label)
        assert shown[index + 1] == value, (label, shown[index:index + 2])


def test_period_filters_and_csv_link() -> None:
    html = render()
    assert "Periode 1 Juni 2020 – 30 Juni 2020" in " ".join(texts(html))
    assert 'name="start" value="2020-06-01"' in html and 'name="end" value="2020-06-30"' in html
    assert '<option value="tarakan" selected>Kantor Cabang Tarakan</option>' in html
    assert 'href="/dasbor.csv?start=2020-06-01&amp;end=2020-06-30">Unduh CSV</a>' in html
    assert 'method="get" action="/dasbor" class="filters"' in html


def test_branch_table_findings_and_chart() -> None:
    html = render()
    shown = texts(html)
    row = shown.index("Kantor Cabang Balikpapan", shown.index("Per cabang"))
    assert shown[row:row + 9] == ["Kantor Cabang Balikpapan", "Kalimantan Timur", "2.704",
                                  "1.984", "540", "38", "142", "14 menit", "68,6 %"]
    quiet = shown.index("Kantor Cabang Tarakan", row + 1)
    assert shown[quiet + 7:quiet + 9] == ["–", "–"]  # no decision: no median, no rate
    # Officers read the findings by their Indonesian titles.
    assert shown[shown.index("Temuan terbanyak"):][4:10] == [
        "DOC-003", "Formulir F5 tidak ada", "1.210", "QUAL-001", "Halaman tidak terbaca", "480"]
    assert "Volume harian" in shown and '<svg class="chart"' in html  # the chart, not escaped


def test_long_medians_read_in_hours_and_a_single_choice_hides_its_filter() -> None:
    figures = DashboardFigures(**{**FIGURES.__dict__, "median_minutes_to_decision": 185.0})
    html = render(dash=figures, provinces=["Kalimantan Timur"])
    assert "3,1 jam" in texts(html)
    assert 'name="province"' not in html and 'name="branch"' in html


def test_text_from_the_settings_is_escaped() -> None:
    html = render(scope_label="<b>Kalimantan</b>",
                  branches=[("x", "Cabang <script>alert(1)</script>")])
    assert "<script>" not in html and "&lt;b&gt;Kalimantan&lt;/b&gt;" in html
