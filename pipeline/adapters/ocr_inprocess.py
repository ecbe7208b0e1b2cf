"""Tesseract in-process through tesserocr: the same engine, without a process per call.

Starting a `tesseract` process and loading its model costs about 150 ms per
call; a loaded `TessBaseAPI` answers the next call at once, which makes
reading small crops (the NIK line with a digit whitelist) cheap. An API
object is not thread-safe, so each thread keeps its own, one per language.
tesserocr releases the GIL while recognising, so threads run in parallel.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image

from pipeline.adapters.ocr import (INSTALL_HINT, OcrEngine, OcrUnavailable, PytesseractEngine,
                                   parse_tsv)
from pipeline.imaging.margin import OCR_MARGIN, add_margin, needs_margin, words_without_margin
from pipeline.types import OcrResult, PageRef

DEFAULT_TESSDATA = Path("/usr/share/tesseract-ocr/5/tessdata")


@lru_cache(maxsize=1)
def _tesserocr():  # type: ignore[no-untyped-def]
    try:
        import tesserocr
    except ImportError as err:
        raise OcrUnavailable("the in-process engine needs the tesserocr package "
                             "(pip install tesserocr)") from err
    return tesserocr


def _pil(image: np.ndarray) -> Image.Image:
    return Image.fromarray(image[:, :, ::-1] if image.ndim == 3 else image)


class TesserocrEngine:
    """Tesseract via libtesseract in this process; same models, same output."""

    name = "tesseract-inprocess"

    def __init__(self, lang: str = "ind", tessdata_dir: Path | None = None,
                 timeout: float = 60) -> None:
        self.lang = lang
        self.tessdata_dir = tessdata_dir or DEFAULT_TESSDATA
        self.timeout_ms = int(timeout * 1000)
        self._local = threading.local()
        if not (self.tessdata_dir / f"{lang}.traineddata").exists():
            raise OcrUnavailable(f"no {lang}.traineddata in {self.tessdata_dir}; "
                                 f"fix: {INSTALL_HINT} (or set ocr.tessdata_dir)")

    def version(self) -> str:
        return str(_tesserocr().tesseract_version().split()[1])

    def _api(self, lang: str):  # type: ignore[no-untyped-def]
        apis = getattr(self._local, "apis", None)
        if apis is None:
            apis = self._local.apis = {}
        api = apis.get(lang)
        if api is None:
            tesserocr = _tesserocr()
            try:
                api = tesserocr.PyTessBaseAPI(path=str(self.tessdata_dir), lang=lang,
                                              oem=tesserocr.OEM.LSTM_ONLY)
            except RuntimeError as err:
                raise OcrUnavailable(f"tesseract cannot load {lang!r} from {self.tessdata_dir}: "
                                     f"{err}; fix: {INSTALL_HINT}") from err
            apis[lang] = api
        return api

    def recognise(self, image: np.ndarray, ref: PageRef, *, psm: int = 3,
                  whitelist: str | None = None, lang: str | None = None) -> OcrResult:
        height, width = image.shape[:2]
        words = ()
        if width and height:
            api = self._api(lang or self.lang)
            api.SetPageSegMode(psm)
            api.SetVariable("tessedit_char_whitelist", whitelist or "")
            margin = OCR_MARGIN if needs_margin(psm) else 0
            api.SetImage(_pil(add_margin(image, margin)))
            # A timeout yields what was recognised so far, like an empty page.
            if api.Recognize(self.timeout_ms):
                words = words_without_margin(parse_tsv("header\n" + (api.GetTSVText(0) or "")),
                                             margin, width, height)
            api.Clear()
        return OcrResult(ref=ref, engine=self.name, engine_version=self.version(),
                         width=width, height=height, words=words)

    def detect_orientation(self, image: np.ndarray) -> int | None:
        api = self._api("osd") if (self.tessdata_dir / "osd.traineddata").exists() else None
        if api is None:
            return None
        api.SetPageSegMode(0)
        api.SetImage(_pil(add_margin(image)))
        try:
            result = api.DetectOrientationScript()
        except RuntimeError:
            return None
        finally:
            api.Clear()
        if not result or result.get("orient_conf", 0.0) < 2.0:
            return None
        degrees = int(result["orient_deg"]) % 360
        # tesserocr reports the page's rotation; turning it back is the opposite way.
        return (360 - degrees) % 360 if degrees in (90, 270) else degrees


def make_ocr_engine(engine: str, lang: str, tessdata_dir: Path | None,
                    timeout: float) -> OcrEngine:
    """The configured engine (settings `ocr.engine`)."""
    if engine == "tesserocr":
        return TesserocrEngine(lang=lang, tessdata_dir=tessdata_dir, timeout=timeout)
    return PytesseractEngine(lang=lang, tessdata_dir=tessdata_dir, timeout=timeout)
