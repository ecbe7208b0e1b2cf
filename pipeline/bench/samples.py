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


def _rotated(image: np.ndarray, rng: random.Random) -> np.ndarray:
    """A phone photo taken sideways or upside down: must still be read."""
    return capture.rotate_capture(capture.phone_capture(image, rng),
                                  rng.choice((90, 180, 270))).image


_POOR = (capture.low_resolution, capture.motion_blur, capture.defocus, capture.glare_spot,
         capture.cut_off)


def _poor(image: np.ndarray, rng: random.Random) -> np.ndarray:
    """A phone photo spoiled one way: read right, or reported as unreadable."""
    spoil = rng.choice(_POOR)
    return spoil(capture.phone_capture(image, rng), rng).image


def _styles() -> dict[str, Capture]:
    return {"scan": capture.flatbed_scan, "photo": capture.phone_photo, "rotated": _rotated,
            "poor": _poor}


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


_MONTHS_ID = ("JANUARI", "FEBRUARI", "MARET", "APRIL", "MEI", "JUNI", "JULI", "AGUSTUS",
              "SEPTEMBER", "OKTOBER", "NOVEMBER", "DESEMBER")
# The F5's printed reasons (fixtures.render.f5.REASONS) by the code the extractor gives.
_CLAIM_REASONS = (("MENCAPAI USIA", "usia_pensiun"), ("MENGUNDURKAN DIRI", "mengundurkan_diri"),
                  ("PEMUTUSAN HUBUNGAN", "phk"), ("BERAKHIRNYA PERJANJIAN", "kontrak_berakhir"),
                  ("MENINGGALKAN INDONESIA", "meninggalkan_indonesia"),
                  ("CACAT TOTAL", "cacat_total"), ("MENINGGAL DUNIA", "meninggal_dunia"),
                  ("PENGAMBILAN SEBAGIAN", "pengambilan_sebagian"))


def iso_date_id(text: str) -> str:
    """'12 Juni 2020' (letters) as '2020-06-12'; an ISO date stays as it is."""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return text
    day, month, year = text.upper().split()
    return date(int(year), _MONTHS_ID.index(month) + 1, int(day)).isoformat()


def claim_reason(text: str) -> str:
    """A printed claim reason as its code; a code stays as it is."""
    upper = text.upper()
    return next((code for start, code in _CLAIM_REASONS if upper.startswith(start)), text)


def email(text: str) -> str:
    return text.strip().lower()


def region(text: str) -> str:
    return upper_words(re.sub(r"^PROVINSI\s+", "", text.upper()))


def validity(text: str) -> str:
    """An e-KTP's validity: "SEUMUR HIDUP" or an ISO date (printed dd-mm-yyyy)."""
    if re.fullmatch(r"\d{2}-\d{2}-\d{4}", text.strip()):
        return iso_date(text.strip())
    return upper_words(text)


# kind -> extractor field -> (truth key, normaliser): what the benchmark scores.
FIELDS: dict[str, dict[str, tuple[str, Callable[[str], str]]]] = {
    "ktp": {"nik": ("nik", digits), "nama": ("nama", upper_words),
            "tempat_lahir": ("tempat_lahir", upper_words),
            "tanggal_lahir": ("tanggal_lahir", iso_date),
            "jenis_kelamin": ("jenis_kelamin", upper_words),
            "provinsi": ("provinsi", region), "kabupaten_kota": ("kabupaten_kota", region),
            "gol_darah": ("gol_darah", upper_words), "alamat": ("alamat", upper_words),
            "rt_rw": ("rt_rw", upper_words), "kel_desa": ("kel_desa", upper_words),
            "kecamatan": ("kecamatan", upper_words), "agama": ("agama", upper_words),
            "status_perkawinan": ("status_perkawinan", upper_words),
            "pekerjaan": ("pekerjaan", upper_words),
            "kewarganegaraan": ("kewarganegaraan", upper_words),
            "berlaku_hingga": ("berlaku_hingga", validity)},
    # KK member rows 1-5 (the participant is in one of them; a household has up to 5).
    "kk": {"no_kk": ("no_kk", digits),
           **{f"anggota_{n}_{part}": (f"anggota_{n}_{part}", norm)
              for n in range(1, 6) for part, norm in (("nik", digits), ("nama", upper_words))}},
    "f5": {"nama": ("nama", upper_words), "nik": ("nik", digits), "kpj": ("kpj", digits),
           "sebab_klaim": ("sebab_klaim", claim_reason), "pemohon_nik": ("pemohon_nik", digits),
           "no_rekening": ("no_rekening", digits), "nama_rekening": ("nama_rekening", upper_words),
           "email": ("email", email), "phone": ("phone", digits)},
    "kartu_peserta": {"kpj": ("kpj", digits), "nama": ("nama", upper_words)},
    "paklaring": {"employer": ("employer", upper_words), "nama": ("nama", upper_words),
                  "mulai_kerja": ("mulai_kerja", iso_date_id),
                  "berhenti_kerja": ("berhenti_kerja", iso_date_id)},
    "buku_tabungan": {"bank": ("bank", upper_words), "no_rekening": ("no_rekening", digits),
                      "nama": ("nama", upper_words)},
    "npwp": {"npwp": ("npwp", digits), "nama": ("nama", upper_words), "nik": ("nik", digits)},
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
