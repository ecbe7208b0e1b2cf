"""OCR engines: the only place that runs tesseract.

`OcrEngine` is what the pipeline needs from an engine; `PytesseractEngine`
is the real one. It drives the same `tesseract` command line that the
pytesseract package wraps, but calls it directly so that the child gets its
own environment (`OMP_THREAD_LIMIT=1`: tesseract's threads do not pay on
small machines, processes do), a timeout, and the image on stdin (no
temporary files holding personal data).

Failures are decided here: a timeout or a page without text is an empty
`OcrResult`; a missing binary or language model is `OcrUnavailable` with
the fix; anything else tesseract refuses is `OcrFailed`.
"""

from __future__ import annotations

import os
import re
import subprocess
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np

from pipeline.imaging.margin import OCR_MARGIN, add_margin, needs_margin, words_without_margin
from pipeline.types import Box, OcrResult, PageRef, Word

INSTALL_HINT = "apt-get install tesseract-ocr tesseract-ocr-ind"


class OcrUnavailable(Exception):
    """Tesseract or one of its language models is not installed."""

    reason = "ocr_unavailable"


class OcrFailed(Exception):
    """Tesseract ran but failed on an input (not a timeout)."""

    reason = "ocr_failed"


class OcrEngine(Protocol):
    """What the pipeline asks of an OCR engine."""

    name: str

    def version(self) -> str: ...

    def recognise(self, image: np.ndarray, ref: PageRef, *, psm: int = 3,
                  whitelist: str | None = None, lang: str | None = None) -> OcrResult:
        """Words of `image`; `lang` overrides the engine's language for this call."""
        ...

    def detect_orientation(self, image: np.ndarray) -> int | None:
        """Degrees (0, 90, 180, 270) to rotate clockwise; None if unsure."""
        ...


def _child_env(tessdata_dir: Path | None) -> dict[str, str]:
    env = dict(os.environ)
    env["OMP_THREAD_LIMIT"] = "1"
    if tessdata_dir is not None:
        env["TESSDATA_PREFIX"] = str(tessdata_dir)
    return env


@lru_cache(maxsize=8)
def tesseract_version(binary: str = "tesseract") -> str:
    """The installed tesseract version ("5.3.0"); raises OcrUnavailable if absent."""
    try:
        done = subprocess.run([binary, "--version"], capture_output=True, timeout=30,
                              check=False, env=_child_env(None))
    except FileNotFoundError:
        raise OcrUnavailable(f"tesseract is not installed ({binary!r} not found); "
                             f"fix: {INSTALL_HINT}") from None
    except subprocess.TimeoutExpired:
        raise OcrUnavailable(f"{binary} --version did not answer within 30 s") from None
    out = (done.stdout + done.stderr).decode("utf-8", "replace")
    match = re.search(r"tesseract\s+v?(\d+\.\d+(?:\.\d+)?)", out)
    if match is None:
        raise OcrUnavailable(f"{binary} does not look like tesseract: {out[:200]!r}")
    return match.group(1)


def _encode_png(image: np.ndarray) -> bytes:
    ok, buffer = cv2.imencode(".png", image, [cv2.IMWRITE_PNG_COMPRESSION, 1])
    if not ok:
        raise OcrFailed(f"cannot encode image of shape {image.shape} for tesseract")
    return buffer.tobytes()


def parse_tsv(tsv: str) -> tuple[Word, ...]:
    """Words from tesseract's TSV output, with a page-wide line index.

    Tesseract numbers lines within a paragraph within a block; the pipeline
    wants one index per visual line for the whole page, in reading order.
    """
    words: list[Word] = []
    line_ids: dict[tuple[str, str, str], int] = {}
    for row in tsv.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != "5":
            continue
        text = cols[11].strip()
        try:
            conf = float(cols[10])
            x, y, w, h = (int(v) for v in cols[6:10])
        except ValueError:
            continue
        if not text or conf < 0:
            continue
        key = (cols[2], cols[3], cols[4])
        line = line_ids.setdefault(key, len(line_ids))
        words.append(Word(text=text, confidence=max(0.0, min(1.0, conf / 100.0)),
                          box=Box(x=x, y=y, w=w, h=h), line=line))
    return tuple(words)


class PytesseractEngine:
    """Tesseract through its command line, one short-lived process per call."""

    name = "tesseract"

    def __init__(self, lang: str = "ind", tessdata_dir: Path | None = None,
                 timeout: float = 60, *, binary: str = "tesseract") -> None:
        self.lang = lang
        self.tessdata_dir = tessdata_dir
        self.timeout = timeout
        self.binary = binary

    def version(self) -> str:
        return tesseract_version(self.binary)

    def _run(self, image: np.ndarray, args: list[str]) -> str | None:
        """Tesseract's stdout for `image`, or None on timeout."""
        command = [self.binary, "stdin", "stdout", *args]
        try:
            done = subprocess.run(command, input=_encode_png(image), capture_output=True,
                                  timeout=self.timeout, check=False,
                                  env=_child_env(self.tessdata_dir))
        except FileNotFoundError:
            raise OcrUnavailable(f"tesseract is not installed ({self.binary!r} not found); "
                                 f"fix: {INSTALL_HINT}") from None
        except subprocess.TimeoutExpired:
            return None
        err = done.stderr.decode("utf-8", "replace")
        if done.returncode != 0:
            if "Failed loading language" in err or "Error opening data file" in err:
                raise OcrUnavailable(f"tesseract language data missing ({args[1]!r}); "
                                     f"fix: {INSTALL_HINT} (or set ocr.tessdata_dir)")
            raise OcrFailed(f"tesseract exited with {done.returncode}: {err.strip()[:300]}")
        return done.stdout.decode("utf-8", "replace")

    def recognise(self, image: np.ndarray, ref: PageRef, *, psm: int = 3,
                  whitelist: str | None = None, lang: str | None = None) -> OcrResult:
        """Words of `image` (greyscale or BGR uint8); empty on timeout or blank page.

        `lang` overrides the engine's language for one call (the `eng` model
        reads OCR-A digit lines better than `ind`).
        """
        height, width = image.shape[:2]
        args = ["-l", lang or self.lang, "--psm", str(psm)]
        if whitelist:
            args += ["-c", f"tessedit_char_whitelist={whitelist}"]
        margin = OCR_MARGIN if needs_margin(psm) else 0
        tsv = self._run(add_margin(image, margin), [*args, "tsv"]) if width and height else None
        words = words_without_margin(parse_tsv(tsv), margin, width, height) if tsv else ()
        return OcrResult(ref=ref, engine=self.name, engine_version=self.version(),
                         width=width, height=height, words=words)

    def detect_orientation(self, image: np.ndarray) -> int | None:
        """Tesseract's orientation script detection; None when it is not confident."""
        try:
            out = self._run(add_margin(image), ["--psm", "0"])
        except OcrFailed:
            # "Too few characters" and similar: not an error, just no answer.
            return None
        if not out:
            return None
        rotate = re.search(r"Rotate:\s*(\d+)", out)
        conf = re.search(r"Orientation confidence:\s*([\d.]+)", out)
        if rotate is None or conf is None or float(conf.group(1)) < 2.0:
            return None
        degrees = int(rotate.group(1)) % 360
        return degrees if degrees in (0, 90, 180, 270) else None
