from collections import Counter
from pathlib import Path

import cv2
import numpy as np
import pytest

from pipeline.adapters.ocr import OcrUnavailable, PytesseractEngine, tesseract_version
from pipeline.types import PageRef

pytestmark = pytest.mark.ocr

SCANS = Path(__file__).resolve().parents[1] / "data" / "scans"
REF = PageRef(attachment_index=0)


def word_recall(read: str, truth: str) -> float:
    got, want = Counter(read.split()), Counter(truth.split())
    return sum(min(got[w], n) for w, n in want.items()) / sum(want.values())


def test_version_probe() -> None:
    assert tesseract_version().split(".")[0] >= "4"


def test_recognises_phototest_with_boxes_and_lines() -> None:
    image = cv2.imread(str(SCANS / "phototest.tif"), cv2.IMREAD_GRAYSCALE)
    result = PytesseractEngine(lang="eng").recognise(image, REF)
    truth = (SCANS / "phototest.gold.txt").read_text()
    assert word_recall(result.text(), truth) >= 0.95
    assert result.width == 640 and result.height == 480
    assert len(result.lines()) == 8
    assert all(0.0 <= w.confidence <= 1.0 for w in result.words)
    first = result.lines()[0]
    assert first[0].text == "This" and first[0].box.x < first[1].box.x


@pytest.mark.parametrize(("name", "degrees"), [
    ("phototest.tif", 0), ("phototest-rotated-L.png", 90), ("phototest-rotated-R.png", 270),
    ("phototest-rotated-180.png", 180)])
def test_detects_orientation(name: str, degrees: int) -> None:
    image = cv2.imread(str(SCANS / name), cv2.IMREAD_GRAYSCALE)
    assert PytesseractEngine().detect_orientation(image) == degrees


def test_blank_page_reads_as_nothing() -> None:
    blank = np.full((300, 400), 255, np.uint8)
    engine = PytesseractEngine()
    assert engine.recognise(blank, REF).words == ()
    assert engine.detect_orientation(blank) is None


def test_digits_whitelist_and_language_override() -> None:
    image = cv2.imread(str(SCANS / "phototest.tif"), cv2.IMREAD_GRAYSCALE)
    result = PytesseractEngine().recognise(image[:40, :], REF, psm=7, whitelist="0123456789",
                                           lang="eng")
    assert all(ch.isdigit() for w in result.words for ch in w.text)


def test_timeout_gives_an_empty_result() -> None:
    image = cv2.imread(str(SCANS / "eurotext.tif"), cv2.IMREAD_GRAYSCALE)
    result = PytesseractEngine(timeout=0.01).recognise(image, REF)
    assert result.words == () and result.width == image.shape[1]


def test_missing_binary_names_the_fix() -> None:
    engine = PytesseractEngine(binary="/nonexistent/tesseract")
    with pytest.raises(OcrUnavailable, match="apt-get install tesseract-ocr tesseract-ocr-ind"):
        engine.recognise(np.full((50, 50), 255, np.uint8), REF)


def test_missing_language_names_the_fix(tmp_path: Path) -> None:
    engine = PytesseractEngine(lang="ind", tessdata_dir=tmp_path)
    with pytest.raises(OcrUnavailable, match="tesseract-ocr-ind"):
        engine.recognise(np.full((50, 50), 255, np.uint8), REF)
