"""Benchmark pages: rendered documents, captured as they would arrive, with truth.

A fresh set comes from the fixtures generator with the benchmark's own seed,
so the figures are not measured on the pages the tests were tuned on.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np

from fixtures import capture
from fixtures.people import generate_profiles
from fixtures.render import renderers

Capture = Callable[[np.ndarray, random.Random], np.ndarray]


def _styles() -> dict[str, Capture]:
    styles: dict[str, Capture] = {"scan": capture.flatbed_scan, "photo": capture.phone_photo}
    poor = getattr(capture, "poor_capture", None)
    if poor is not None:
        styles["poor"] = poor
    return styles


@dataclass(frozen=True)
class Sample:
    kind: str
    style: str
    image: np.ndarray
    truth: dict[str, str]  # field name as the extractor names it -> normalised value


def digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def upper_words(text: str) -> str:
    return " ".join(re.sub(r"[^A-Z0-9/ .,'-]", " ", text.upper()).split())


def iso_date(text: str) -> str:
    return datetime.strptime(text, "%d-%m-%Y").date().isoformat()


def region(text: str) -> str:
    return upper_words(re.sub(r"^PROVINSI\s+", "", text.upper()))


# kind -> extractor field -> (truth key, normaliser): what the benchmark scores.
FIELDS: dict[str, dict[str, tuple[str, Callable[[str], str]]]] = {
    "ktp": {"nik": ("nik", digits), "nama": ("nama", upper_words),
            "tempat_lahir": ("tempat_lahir", upper_words),
            "tanggal_lahir": ("tanggal_lahir", iso_date),
            "jenis_kelamin": ("jenis_kelamin", upper_words),
            "provinsi": ("provinsi", region), "kabupaten_kota": ("kabupaten_kota", region)},
    "kk": {"no_kk": ("no_kk", digits)},
    "f5": {"nik": ("nik", digits), "kpj": ("kpj", digits)},
    "kartu_peserta": {"kpj": ("kpj", digits)},
    "paklaring": {},
    "buku_tabungan": {"no_rekening": ("no_rekening", digits)},
    "npwp": {"npwp": ("npwp", digits)},
}


def normalise(kind: str, field: str, value: str | None) -> str | None:
    """An extracted value in the same form as the truth, for comparison."""
    if value is None:
        return None
    _key, norm = FIELDS[kind][field]
    if norm is iso_date:
        return value  # extractors already give ISO dates
    return norm(value)


def make_samples(seed: int, count: int, today: date) -> Iterator[Sample]:
    """`count` people; each of their documents in each capture style."""
    rng = random.Random(seed)
    render = renderers()
    styles = _styles()
    for person in generate_profiles(rng, count, today):
        for kind, fields in FIELDS.items():
            rendered = render[kind](person, random.Random(rng.getrandbits(32)))
            truth = {name: norm(rendered.truth[key].value)
                     for name, (key, norm) in fields.items() if key in rendered.truth}
            for style, capture_fn in styles.items():
                image = capture_fn(rendered.image, random.Random(rng.getrandbits(32)))
                yield Sample(kind=kind, style=style, image=image, truth=truth)
