"""Scan pages for the officer, re-rendered from the archived message, with field boxes drawn.

The page is prepared exactly as the pipeline prepared it before reading
(pipeline.pages.render_pages + prepare_page), so the boxes the readers
stored land on the words they were read from. Pages are rendered on
request and kept in a small in-memory cache; nothing is written to disk
and nothing about them is logged.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from pipeline.imaging.geometry import rotate_quarter
from pipeline.pages import prepare_page, render_pages
from pipeline.settings import LimitSettings
from pipeline.types import Submission

# Long side of the page shown beside the values; the zoomed view is larger.
SHOWN_LONG_SIDE = 1400
ZOOM_LONG_SIDE = 3200

# Attachment index, page number, and which document on the page (PageRef.part).
PageKey = tuple[int, int, int | None]

AGREES = (40, 140, 40)  # BGR: a value equal to the record
DIFFERS = (30, 30, 210)  # a value that differs from the record
NEUTRAL = (200, 110, 20)  # nothing to compare with


@dataclass(frozen=True)
class FieldBox:
    label: str
    box: tuple[int, int, int, int]
    agrees: bool | None


def _colour(agrees: bool | None) -> tuple[int, int, int]:
    return NEUTRAL if agrees is None else (AGREES if agrees else DIFFERS)


def draw_boxes(grey: np.ndarray, boxes: Sequence[FieldBox], long_side: int) -> np.ndarray:
    """The page in colour at most `long_side` pixels long, each field box outlined and named."""
    height, width = grey.shape[:2]
    scale = min(1.0, long_side / max(height, width))
    image = cv2.cvtColor(grey, cv2.COLOR_GRAY2BGR) if grey.ndim == 2 else grey.copy()
    if scale < 1.0:
        image = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    thickness = max(2, int(round(3 * max(image.shape[:2]) / 1400)))
    font = max(0.5, 0.6 * max(image.shape[:2]) / 1400)
    for item in boxes:
        x, y, w, h = (int(round(v * scale)) for v in item.box)
        colour = _colour(item.agrees)
        pad = thickness + 2
        cv2.rectangle(image, (x - pad, y - pad), (x + w + pad, y + h + pad), colour, thickness)
        (tw, th), base = cv2.getTextSize(item.label, cv2.FONT_HERSHEY_SIMPLEX, font, 1)
        top = max(0, y - pad - th - base - 4)
        cv2.rectangle(image, (x - pad, top), (x - pad + tw + 6, top + th + base + 4), colour, -1)
        cv2.putText(image, item.label, (x - pad + 3, top + th + 2), cv2.FONT_HERSHEY_SIMPLEX,
                    font, (255, 255, 255), 1, cv2.LINE_AA)
    return image


def _ink_in_boxes(grey: np.ndarray, boxes: Sequence[FieldBox]) -> float | None:
    """Mean darkness inside the boxes, or None when most boxes fall off the image."""
    height, width = grey.shape[:2]
    inside = [b.box for b in boxes if b.box[0] >= 0 and b.box[1] >= 0
              and b.box[0] + b.box[2] <= width + 2 and b.box[1] + b.box[3] <= height + 2]
    if not inside or len(inside) * 2 < len(boxes):
        return None
    return float(np.mean([255.0 - float(grey[y:y + h, x:x + w].mean())
                          for x, y, w, h in inside if w > 0 and h > 0] or [0.0]))


def upright_for_boxes(grey: np.ndarray, boxes: Sequence[FieldBox]) -> np.ndarray:
    """The page turned the way the reader finally read it.

    When a first reading was poor, the reader may have turned the page a
    half or a quarter turn more than its preparation did, and the boxes it
    stored are on that turned page. Text is dark: the turn whose boxes hold
    clearly the most ink is the one the boxes belong to.
    """
    if not boxes:
        return grey
    best, best_ink = grey, _ink_in_boxes(grey, boxes)
    for turn in (180, 90, 270):
        turned = rotate_quarter(grey, turn)
        ink = _ink_in_boxes(turned, boxes)
        if ink is not None and (best_ink is None or ink > 1.3 * best_ink):
            best, best_ink = turned, ink
    return np.ascontiguousarray(best)


def encode_png(image: np.ndarray) -> bytes:
    ok, data = cv2.imencode(".png", image, [cv2.IMWRITE_PNG_COMPRESSION, 3])
    if not ok:
        raise ValueError("page could not be encoded")
    return data.tobytes()


class PageCache:
    """Prepared page images of the last few submissions looked at (by message digest).

    The browser asks for every page of a submission at once; the first
    request prepares them all while the others wait for it, so each
    submission is decoded and prepared once.
    """

    def __init__(self, submissions: int = 4) -> None:
        self._size = submissions
        self._items: OrderedDict[str, dict[PageKey, np.ndarray]] = OrderedDict()
        self._lock = threading.Lock()
        self._computing: dict[str, threading.Lock] = {}

    def _cached(self, key: str) -> dict[PageKey, np.ndarray] | None:
        with self._lock:
            pages = self._items.get(key)
            if pages is not None:
                self._items.move_to_end(key)
            return pages

    def prepared(self, submission: Submission, limits: LimitSettings, attachment_index: int,
                 page_number: int, part: int | None = None) -> np.ndarray | None:
        key = submission.message_sha256
        pages = self._cached(key)
        if pages is None:
            with self._lock:
                gate = self._computing.setdefault(key, threading.Lock())
            with gate:
                pages = self._cached(key)
                if pages is None:
                    rendered, _unreadable = render_pages(submission, limits)
                    # Keyed as documents are stored: a page of several cards is
                    # one prepared page per card (PageRef.part).
                    pages = {(p.ref.attachment_index, p.ref.page_number, p.ref.part):
                             prepare_page(p).image for p in rendered}
                    with self._lock:
                        self._items[key] = pages
                        while len(self._items) > self._size:
                            self._items.popitem(last=False)
                        self._computing.pop(key, None)
        return pages.get((attachment_index, page_number, part))
