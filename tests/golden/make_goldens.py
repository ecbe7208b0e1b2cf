"""Regenerate the golden pages of the non-KTP kinds: `python -m tests.golden.make_goldens`.

Each page is a fixtures rendering captured as a flatbed scan, stored as a
small JPEG beside a JSON file with the expected field values, taken from
the renderer's truth and normalised as the benchmark does
(pipeline.bench.samples.FIELDS). The Kartu Keluarga also has a phone
photo (`make_kk_photo`): its member table is read along ruled lines that
a photo leaves sloping and broken.
"""

from __future__ import annotations

import json
import random
from datetime import date
from pathlib import Path

import cv2

from fixtures import capture
from fixtures.people import generate_profiles
from fixtures.render import renderers
from pipeline.bench.samples import FIELDS

HERE = Path(__file__).parent
KINDS = ("kk", "f5", "kartu_peserta", "paklaring", "buku_tabungan", "npwp")
SEED = 4242
KK_PHOTO_SEED = 4244
MAX_SIDE = 1800


def make_goldens(seed: int = SEED) -> list[Path]:
    rng = random.Random(seed)
    render = renderers()
    written: list[Path] = []
    person = generate_profiles(rng, 1, date(2020, 6, 15))[0]
    for kind in KINDS:
        rendered = render[kind](person, random.Random(rng.getrandbits(32)))
        image = capture.flatbed_scan(rendered.image, random.Random(rng.getrandbits(32)))
        scale = min(1.0, MAX_SIDE / max(image.shape[:2]))
        if scale < 1.0:
            image = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        folder = HERE / kind
        folder.mkdir(exist_ok=True)
        stem = f"{kind}_scan_{seed}"
        cv2.imwrite(str(folder / f"{stem}.jpg"), image, [cv2.IMWRITE_JPEG_QUALITY, 80])
        expected = {name: norm(rendered.truth[key].value)
                    for name, (key, norm) in FIELDS[kind].items() if key in rendered.truth}
        (folder / f"{stem}.json").write_text(json.dumps({"kind": kind, "fields": expected},
                                                        indent=2, sort_keys=True) + "\n")
        written.append(folder / f"{stem}.jpg")
    return written


def make_kk_photo(seed: int = KK_PHOTO_SEED) -> Path:
    """A Kartu Keluarga of its own household, taken as a phone photo."""
    rng = random.Random(seed + 1)
    person = generate_profiles(rng, 1, date(2020, 6, 15))[0]
    rendered = renderers()["kk"](person, random.Random(rng.getrandbits(32)))
    image = capture.phone_photo(rendered.image, random.Random(rng.getrandbits(32)))
    stem = HERE / "kk" / f"kk_photo_{seed}"
    cv2.imwrite(str(stem.with_suffix(".jpg")), image, [cv2.IMWRITE_JPEG_QUALITY, 80])
    expected = {name: norm(rendered.truth[key].value)
                for name, (key, norm) in FIELDS["kk"].items() if key in rendered.truth}
    stem.with_suffix(".json").write_text(json.dumps({"kind": "kk", "fields": expected},
                                                    indent=2, sort_keys=True) + "\n")
    return stem.with_suffix(".jpg")


if __name__ == "__main__":
    for path in (*make_goldens(), make_kk_photo()):
        print(path, path.stat().st_size)
