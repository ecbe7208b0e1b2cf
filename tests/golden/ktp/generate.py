"""Regenerate the e-KTP golden files: `python -m tests.golden.ktp.generate`.

Renders synthetic e-KTPs (fixtures.render), captures each as a flatbed scan
and a phone photo (fixtures.capture), stores them as small JPEGs and
writes beside each the reading of the current extractor (`<stem>.json`).
Only captures whose reading matches the rendered truth in every field are
kept, so the goldens pin correct behaviour, not today's mistakes.
Review the diff before committing regenerated files.
"""

from __future__ import annotations

import json
import random
import sys
from datetime import date
from pathlib import Path

import cv2
import numpy as np

from extractors import read_page
from fixtures import capture
from fixtures.people import generate_profiles
from fixtures.render import renderers
from pipeline.adapters.ocr_inprocess import TesserocrEngine
from pipeline.bench.samples import FIELDS, normalise
from pipeline.pages import prepare_page
from pipeline.types import Document, Page, PageRef

HERE = Path(__file__).parent
SEED = 5150
TODAY = date(2020, 6, 15)
JPEG_QUALITIES = (80, 72, 65)
MAX_BYTES = 140_000
PER_STYLE = 2
STYLES = {"scan": capture.flatbed_scan, "photo": capture.phone_photo}


def expected_output(document: Document) -> dict[str, object]:
    """What a golden pins: the kind and every field's value."""
    return {"kind": document.kind.value,
            "fields": {f.name: f.value for f in document.fields}}


def read_jpeg(path: Path) -> Document:
    """The pipeline's reading of one stored capture (prepare, OCR, classify, extract)."""
    image = cv2.imdecode(np.frombuffer(path.read_bytes(), np.uint8), cv2.IMREAD_COLOR)
    page = Page(ref=PageRef(attachment_index=0), filename=path.name, image=image)
    return read_page(prepare_page(page), TesserocrEngine(), today=TODAY)


def _small_jpeg(image: np.ndarray) -> bytes | None:
    """The capture as a JPEG under MAX_BYTES, at the best quality that fits."""
    for quality in JPEG_QUALITIES:
        ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
        if ok and len(data) < MAX_BYTES:
            return bytes(data.tobytes())
    return None


def _matches_truth(document: Document, truth: dict[str, str]) -> bool:
    return all(normalise("ktp", name, document.value(name)) == value
               for name, value in truth.items())


def main() -> int:
    rng = random.Random(SEED)
    render = renderers()["ktp"]
    kept = {style: 0 for style in STYLES}
    for number, person in enumerate(generate_profiles(rng, 30, TODAY), start=1):
        rendered = render(person, random.Random(rng.getrandbits(32)))
        truth = {name: norm(rendered.truth[key].value)
                 for name, (key, norm) in FIELDS["ktp"].items() if key in rendered.truth}
        for style, capture_fn in STYLES.items():
            image = capture_fn(rendered.image, random.Random(rng.getrandbits(32)))
            if kept[style] >= PER_STYLE:
                continue
            path = HERE / f"ktp_{style}_{number:02d}.jpg"
            data = _small_jpeg(image)
            if data is None:
                continue
            path.write_bytes(data)
            document = read_jpeg(path)
            if not _matches_truth(document, truth):
                path.unlink()
                continue
            path.with_suffix(".json").write_text(
                json.dumps(expected_output(document), indent=2, ensure_ascii=False) + "\n")
            kept[style] += 1
        if all(count >= PER_STYLE for count in kept.values()):
            break
    print(kept)
    return 0


if __name__ == "__main__":
    sys.exit(main())
