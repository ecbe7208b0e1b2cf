"""`intake bench extract`: accuracy and speed of reading, against a naive baseline.

For every generated page: the pipeline's reading (prepare + OCR + classify
+ extract) and the naive reading, each timed on one core. Figures per
document kind and capture style: classification rate, per field the exact
match rate, the share withheld as unreadable (the rules then ask for a
better copy), and the share of wrong values given with confidence above 0.9;
median seconds per page; then pages per second with every core busy.
"""

from __future__ import annotations

import os
import statistics
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from extractors import read_page
from pipeline.adapters.ocr import OcrEngine
from pipeline.bench.naive import naive_read
from pipeline.bench.samples import FIELDS, Sample, make_samples, normalise
from pipeline.pages import prepare_page
from pipeline.types import Document, Page, PageRef

HIGH_CONFIDENCE = 0.9


@dataclass
class Tally:
    pages: int = 0
    kind_right: int = 0
    flagged: int = 0  # pages reported unreadable (a rescan is asked for)
    naive_kind_right: int = 0
    seconds: list[float] = field(default_factory=list)
    naive_seconds: list[float] = field(default_factory=list)
    exact: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    wrong_confident: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    # Values withheld (None): the rules ask for a rescan or a better copy.
    unread: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    naive_exact: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    scored: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def read_sample(sample: Sample, engine: OcrEngine, today: date) -> tuple[Document, float]:
    started = time.perf_counter()
    page = Page(ref=PageRef(attachment_index=0), filename=f"{sample.kind}.jpg", image=sample.image)
    document = read_page(prepare_page(page), engine, today=today)
    return document, time.perf_counter() - started


def score(tally: Tally, sample: Sample, document: Document, naive_kind: str,
          naive_values: dict[str, str | None]) -> None:
    tally.pages += 1
    tally.kind_right += document.kind.value == sample.kind
    tally.flagged += document.quality is not None and not document.quality.readable
    tally.naive_kind_right += naive_kind == sample.kind
    for name, truth in sample.truth.items():
        tally.scored[name] += 1
        got = document.field(name)
        value = normalise(sample.kind, name, got.value if got else None)
        if value == truth:
            tally.exact[name] += 1
        elif value is None:
            tally.unread[name] += 1
        elif value is not None and got is not None and got.confidence > HIGH_CONFIDENCE:
            tally.wrong_confident[name] += 1
        if naive_values.get(name) is not None and naive_values[name] == truth:
            tally.naive_exact[name] += 1


def run_bench(seed: int, count: int, engine: OcrEngine, today: date,
              workers: int | None = None) -> dict[str, Any]:
    """Measure; return the figures as one JSON-ready mapping."""
    samples = list(make_samples(seed, count, today))
    tallies: dict[tuple[str, str], Tally] = defaultdict(Tally)
    for sample in samples:
        document, seconds = read_sample(sample, engine, today)
        started = time.perf_counter()
        naive_kind, naive_values = naive_read(sample.image, list(sample.truth))
        naive_seconds = time.perf_counter() - started
        tally = tallies[(sample.kind, sample.style)]
        tally.seconds.append(seconds)
        tally.naive_seconds.append(naive_seconds)
        score(tally, sample, document, naive_kind, naive_values)

    workers = workers or os.cpu_count() or 1
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(lambda s: read_sample(s, engine, today), samples))
    all_cores = len(samples) / (time.perf_counter() - started)
    return _figures(seed, count, tallies, all_cores, workers)


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _figures(seed: int, count: int, tallies: dict[tuple[str, str], Tally], all_cores: float,
             workers: int) -> dict[str, Any]:
    groups = []
    for (kind, style), tally in sorted(tallies.items()):
        median = statistics.median(tally.seconds)
        naive_median = statistics.median(tally.naive_seconds)
        groups.append({
            "kind": kind, "style": style, "pages": tally.pages,
            "classification": _rate(tally.kind_right, tally.pages),
            "flagged_unreadable": _rate(tally.flagged, tally.pages),
            "naive_classification": _rate(tally.naive_kind_right, tally.pages),
            "seconds_per_page": round(median, 3),
            "naive_seconds_per_page": round(naive_median, 3),
            "speed_ratio_vs_naive": round(naive_median / median, 2) if median else None,
            "fields": {name: {
                "exact": _rate(tally.exact[name], tally.scored[name]),
                "unread": _rate(tally.unread[name], tally.scored[name]),
                "wrong_high_confidence": _rate(tally.wrong_confident[name], tally.scored[name]),
                "naive_exact": _rate(tally.naive_exact[name], tally.scored[name]),
            } for name in FIELDS[kind] if tally.scored[name]},
        })
    return {"seed": seed, "people": count, "pages": sum(t.pages for t in tallies.values()),
            "workers": workers, "pages_per_second_all_cores": round(all_cores, 2),
            "groups": groups}


def format_figures(figures: dict[str, Any]) -> str:
    lines = [f"seed {figures['seed']}, {figures['people']} people, {figures['pages']} pages",
             "",
             f"{'kind':<14}{'style':<8}{'pages':>6}{'unread':>7}{'class':>7}{'naive':>7}"
             f"{'s/page':>8}{'naive':>7}{'ratio':>7}  field exact / unread / wrong>0.9 / naive"]
    for group in figures["groups"]:
        head = (f"{group['kind']:<14}{group['style']:<8}{group['pages']:>6}"
                f"{_pct(group['flagged_unreadable']):>7}"
                f"{_pct(group['classification']):>7}{_pct(group['naive_classification']):>7}"
                f"{group['seconds_per_page']:>8.2f}{group['naive_seconds_per_page']:>7.2f}"
                f"{group['speed_ratio_vs_naive'] or 0:>7.2f}")
        fields = "  ".join(f"{name} {_pct(f['exact'])}/{_pct(f['unread'])}/"
                           f"{_pct(f['wrong_high_confidence'])}/"
                           f"{_pct(f['naive_exact'])}" for name, f in group["fields"].items())
        lines.append(f"{head}  {fields}")
    lines += ["", f"all {figures['workers']} cores: {figures['pages_per_second_all_cores']} "
                  "pages per second (pipeline)"]
    return "\n".join(lines)


def _pct(rate: float | None) -> str:
    return "-" if rate is None else f"{100 * rate:.0f}%"
