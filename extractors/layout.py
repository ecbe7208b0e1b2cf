"""Finding labels and their values among OCR words by position.

Tesseract may put a form's label column and value column in different
blocks, so line indices alone do not pair "Nama" with its value; boxes do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from rapidfuzz import fuzz

from extractors.fields import normalise_text
from pipeline.types import Box, OcrResult, Word


# A label box this many times the page's text height is stretched by a stray mark.
TALL_ANCHOR = 1.6
# A "word" this many times the row's height is a mark (a photo's edge, a
# stamp): "NX" 86 px tall (3.4x) beside an e-KTP's 25 px birth row carried
# the value on to the photo frame's "|" beyond it. A value's box can be
# stretched too: "PURNAMA" 40 px tall beside its 18 px label (2.2x).
TALL_WORD = 2.5


@dataclass(frozen=True)
class LabelHit:
    words: tuple[Word, ...]
    score: float

    @property
    def box(self) -> Box:
        return union_box(self.words)


def union_box(words: tuple[Word, ...] | list[Word]) -> Box:
    left = min(w.box.x for w in words)
    top = min(w.box.y for w in words)
    right = max(w.box.x + w.box.w for w in words)
    bottom = max(w.box.y + w.box.h for w in words)
    return Box(x=left, y=top, w=right - left, h=bottom - top)


@lru_cache(maxsize=8192)
def label_key(text: str) -> str:
    """Upper-case letters and digits only: how labels are compared."""
    return re.sub(r"[^A-Z0-9]", "", normalise_text(text))


def label_hits_on_line(line: list[Word], target: str, min_score: float,
                       max_words: int) -> list[LabelHit]:
    """The best match of `target` (a label_key) starting at each word of a line.

    A word may carry the label's colon or the start of the value
    ("Nama:BUDI"), so a prefix of the joined words matching the label counts
    too, a little lower.
    """
    hits: list[LabelHit] = []
    for start in range(len(line)):
        joined = ""
        best: LabelHit | None = None
        for end in range(start, min(start + max_words, len(line))):
            joined += label_key(line[end].text)
            if not joined:
                continue
            score = fuzz.ratio(joined, target)
            if len(joined) > len(target):
                score = max(score, fuzz.ratio(joined[:len(target)], target) - 5)
            if score >= min_score and (best is None or score > best.score):
                best = LabelHit(words=tuple(line[start:end + 1]), score=score)
            if len(joined) >= len(target) + 3:
                break
        if best is not None:
            hits.append(best)
    return hits


def find_label(ocr: OcrResult, label: str, min_score: float = 80.0,
               max_words: int = 3) -> LabelHit | None:
    """The run of consecutive words on one line that best matches `label`.

    Matching ignores case, spaces and punctuation and tolerates OCR noise
    (rapidfuzz ratio >= `min_score`); see `label_hits_on_line`.
    """
    target = label_key(label)
    best: LabelHit | None = None
    for line in ocr.lines():
        for hit in label_hits_on_line(line, target, min_score, max_words):
            if best is None or hit.score > best.score:
                best = hit
    return best


def same_row(word: Word, anchor: Box, tolerance: float = 0.5) -> bool:
    """Whether `word` sits on the text row of `anchor` (vertical overlap)."""
    top = max(word.box.y, anchor.y)
    bottom = min(word.box.y + word.box.h, anchor.y + anchor.h)
    overlap = bottom - top
    return overlap >= tolerance * min(word.box.h, anchor.h)


def text_height(ocr: OcrResult) -> int | None:
    """The median height of the words of two or more letters or digits."""
    heights = [w.box.h for w in ocr.words if sum(c.isalnum() for c in w.text) >= 2]
    return int(np.median(heights)) if heights else None


def row_band(anchor: Box, height: int | None) -> Box:
    """`anchor`, cut to `height` about its middle when it is far taller (TALL_ANCHOR).

    The recogniser sometimes gives a label a box stretched by a mark above
    or below it (the card's pattern): twice a row high, it overlaps the
    value of the row above ("KARYAWAN KAWIN SWASTA" for the job, "KAWIN"
    being the marital status above it).
    """
    if height is None or anchor.h <= TALL_ANCHOR * height:
        return anchor
    return Box(x=anchor.x, y=anchor.y + (anchor.h - height) // 2, w=anchor.w, h=height)


def words_right_of(ocr: OcrResult, anchor: Box, stop_labels: tuple[str, ...] = (),
                   max_gap: float = 3.0) -> list[Word]:
    """Words on the anchor's row to its right, left to right, up to a stop label.

    Between value words, a horizontal gap wider than `max_gap` row heights
    ends the value: beyond it lie other things on the row (a photo's edge,
    a stamp). The gap between the label and its value column is free. An
    anchor far taller than the page's text is taken at its middle (`row_band`);
    words far taller than the anchor (TALL_WORD) are passed over.
    """
    anchor = row_band(anchor, text_height(ocr))
    # The first word is matched against the anchor, each next one against
    # the word before it only: in a photo the row drifts up or down across
    # the card, by more than a row height over a long value, and far from
    # the label the row above can overlap the label's height ("JL. RE
    # MARTADINATA DARAH 8", "Gol. Darah : B" sloping down from the row above).
    near = sorted((w for w in ocr.words
                   if w.box.x >= anchor.x + anchor.w - 2
                   and abs(w.box.y + w.box.h / 2 - anchor.y - anchor.h / 2) <= 1.6 * anchor.h),
                  key=lambda w: w.box.x)
    stops = {label_key(s) for s in stop_labels}
    out: list[Word] = []
    right = anchor.x + anchor.w
    for word in near:
        if not same_row(word, out[-1].box if out else anchor):
            continue
        if word.box.h > TALL_WORD * anchor.h:
            continue  # a photo's edge or a stamp: no text of the row, and no bridge to more
        if out and word.box.x - right > max_gap * max(anchor.h, word.box.h):
            break
        right = word.box.x + word.box.w
        key = label_key(word.text)
        if key and any(fuzz.ratio(key, stop) >= 80 or key.startswith(stop) for stop in stops):
            break
        out.append(word)
    return out


_COLON_MISREADS = {"1", "l", "I", "i", "|", "!", ":", ";", "¦"}
# The colon read together with a stray mark before it ("1:", "l;").
_COLON_WORD = re.compile(r"^[1lIi|!¦]?[:;]$")


def strip_colon(words: list[Word]) -> list[Word]:
    """Drop leading words that are only the label's colon or similar marks."""
    while words and not re.search(r"[A-Za-z0-9]", words[0].text):
        words = words[1:]
    # The colon column is often read as "1", "l", "I" or "|" on its own.
    if len(words) > 1 and (words[0].text in _COLON_MISREADS or _COLON_WORD.match(words[0].text)):
        words = words[1:]
    return words


def value_text(words: list[Word]) -> str:
    text = " ".join(w.text for w in words)
    return re.sub(r"^\s*[:;.=]\s*", "", text).strip()


def mean_confidence(words: list[Word] | tuple[Word, ...]) -> float:
    return sum(w.confidence for w in words) / len(words) if words else 0.0


def stretch_inks(region: np.ndarray, height: int, least: int = 1) -> list[float]:
    """The darkest print (5th percentile) of each stretch of `region` about three
    text heights wide, at least `least` stretches.

    Print washed out by a highlight is pale in its stretch while the rest
    of the value stays dark: comparing stretches shows it.
    """
    height = max(height, 1)
    parts = np.array_split(region, max(least, region.shape[1] // (3 * height)), axis=1)
    return [float(np.percentile(part, 5)) for part in parts]
