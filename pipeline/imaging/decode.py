"""Bytes to pixels: image files and PDF pages, with every failure named.

Each function either returns arrays or raises `DecodeProblem` carrying the
`PageProblem` a reply can name; nothing else escapes (bad bytes are a
result, not a crash).
"""

from __future__ import annotations

import io
import math
import warnings
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageOps, ImageSequence

from pipeline.types import PageProblem

PDF_DPI = 200
POINTS_PER_INCH = 72.0

# Formats OpenCV decodes itself; the rest (and multi-frame files) go through PIL.
_OPENCV_TYPES = frozenset({"image/jpeg", "image/png"})
PIL_TYPES = frozenset({"image/tiff", "image/webp", "image/gif", "image/bmp"})
IMAGE_TYPES = _OPENCV_TYPES | PIL_TYPES


class DecodeProblem(Exception):
    """Why bytes gave no pixels, as a PageProblem with a short detail."""

    def __init__(self, problem: PageProblem, detail: str) -> None:
        super().__init__(f"{problem.value}: {detail}")
        self.problem = problem
        self.detail = detail


@dataclass(frozen=True)
class RenderedPdf:
    pages: list[np.ndarray]  # the first `len(pages)` pages, BGR
    page_count: int  # pages in the document
    dpi: int  # the resolution the pages were rendered at (lowest of them)


def _pil_to_array(frame: Image.Image) -> np.ndarray:
    """A PIL frame as uint8 grey or BGR; transparency flattened onto white."""
    if frame.mode in ("RGBA", "LA", "PA") or (frame.mode == "P" and "transparency" in frame.info):
        rgba = frame.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        frame = Image.alpha_composite(white, rgba).convert("RGB")
    if frame.mode in ("1", "L", "I;16", "I;16B", "I;16L", "I", "F"):
        if frame.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
            data = np.asarray(frame, dtype=np.float64)
            top = float(data.max()) or 1.0
            return np.clip(data * (255.0 / top), 0, 255).astype(np.uint8)
        return np.asarray(frame.convert("L"), dtype=np.uint8).copy()
    rgb = np.asarray(frame.convert("RGB"), dtype=np.uint8)
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)


def _check_pixels(width: int, height: int, max_pixels: int) -> None:
    if width <= 0 or height <= 0:
        raise DecodeProblem(PageProblem.IMAGE_CORRUPT, "image has no pixels")
    if width * height > max_pixels:
        raise DecodeProblem(PageProblem.TOO_LARGE,
                            f"{width}x{height} pixels exceeds the limit of {max_pixels}")


def decode_image(data: bytes, sniffed: str, max_pixels: int, max_frames: int) -> list[np.ndarray]:
    """Frames of an image file (several for multi-page TIFF/GIF), at most `max_frames`.

    EXIF orientation is applied (phones store portrait photos sideways).
    Raises DecodeProblem(IMAGE_CORRUPT | TOO_LARGE).
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            probe = Image.open(io.BytesIO(data))
            width, height = probe.size
            frames = getattr(probe, "n_frames", 1)
    except Exception as err:  # PIL raises many types on hostile bytes
        raise DecodeProblem(PageProblem.IMAGE_CORRUPT, f"cannot read image header: {err}") from None
    _check_pixels(width, height, max_pixels)
    if sniffed in _OPENCV_TYPES and frames == 1:
        array = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
        if array is not None:
            return [array]
    return _decode_with_pil(data, max_frames)


def _decode_with_pil(data: bytes, max_frames: int) -> list[np.ndarray]:
    out: list[np.ndarray] = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(io.BytesIO(data)) as image:
                for frame in ImageSequence.Iterator(image):
                    if len(out) >= max_frames:
                        break
                    upright = ImageOps.exif_transpose(frame.copy()) or frame
                    out.append(_pil_to_array(upright))
    except Exception as err:
        if not out:
            raise DecodeProblem(PageProblem.IMAGE_CORRUPT, f"cannot decode image: {err}") from None
        # A truncated multi-page file: keep the frames that decoded.
    if not out:
        raise DecodeProblem(PageProblem.IMAGE_CORRUPT, "image has no frames")
    return out


def count_frames(data: bytes) -> int:
    """Frames in an image file (1 when unknown)."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            return int(getattr(image, "n_frames", 1))
    except Exception:
        return 1


def render_pdf(data: bytes, max_pages: int, max_pixels: int) -> RenderedPdf:
    """The first `max_pages` pages of a PDF at ~200 dpi, each within `max_pixels`.

    Raises DecodeProblem(PDF_ENCRYPTED) when a password is needed and
    DecodeProblem(PDF_CORRUPT) when pdfium cannot open or render it.
    """
    import pypdfium2 as pdfium  # imported here: only PDF attachments need it

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as err:
        text = str(err).lower()
        if "password" in text or "security" in text:
            raise DecodeProblem(PageProblem.PDF_ENCRYPTED, "PDF needs a password") from None
        raise DecodeProblem(PageProblem.PDF_CORRUPT, f"cannot open PDF: {err}") from None
    try:
        count = len(document)
        if count == 0:
            raise DecodeProblem(PageProblem.PDF_CORRUPT, "PDF has no pages")
        pages: list[np.ndarray] = []
        lowest_dpi = PDF_DPI
        for index in range(min(count, max_pages)):
            page = document[index]
            try:
                width_pt, height_pt = page.get_size()
                scale = PDF_DPI / POINTS_PER_INCH
                area = max(width_pt * height_pt, 1.0)
                # Posters and corrupt MediaBoxes must not blow memory up.
                scale = min(scale, math.sqrt(max_pixels / area))
                lowest_dpi = min(lowest_dpi, int(round(scale * POINTS_PER_INCH)))
                bitmap = page.render(scale=scale, grayscale=False)
                array = bitmap.to_numpy()
                pages.append(_bitmap_to_bgr(array))
            finally:
                page.close()
        return RenderedPdf(pages=pages, page_count=count, dpi=lowest_dpi)
    except DecodeProblem:
        raise
    except Exception as err:
        raise DecodeProblem(PageProblem.PDF_CORRUPT, f"cannot render PDF: {err}") from None
    finally:
        document.close()


def _bitmap_to_bgr(array: np.ndarray) -> np.ndarray:
    """pdfium bitmaps are BGR(A)/BGRx by default; drop the fourth channel."""
    if array.ndim == 2:
        return array.copy()
    if array.shape[2] == 4:
        return np.ascontiguousarray(array[:, :, :3])
    return array.copy()
