"""Printed forms read as "Label : value" rows.

A form's kind fixes its labels; what changes between pages is where they
sit. Labels are found by fuzzy match on the page OCR, every occurrence, so
that a caller can choose by context ("NIK" of the worker, not "NIK
Pemohon"); the value is the run of words right of the label on its row.
Number values are then re-read from the image (extractors.numbers).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from extractors.fields import normalise_name
from extractors.layout import (LabelHit, label_hits_on_line, label_key, mean_confidence, strip_colon,
                               union_box, words_right_of)
from pipeline.types import Box, ExtractedField, OcrResult, Word


def find_labels(ocr: OcrResult, label: str, min_score: float = 80.0,
                max_words: int = 4) -> list[LabelHit]:
    """Every place `label` is printed, best match per line start, top to bottom.

    A word may carry the colon or the start of the value ("Email:budi@"),
    so a prefix of the joined words matching the label counts too (a little
    lower). Overlapping candidates on one line keep the best.
    """
    target = label_key(label)
    hits: list[LabelHit] = []
    for line in ocr.lines():
        best_on_line = label_hits_on_line(line, target, min_score, max_words)
        # Keep non-overlapping hits, best first.
        kept: list[LabelHit] = []
        for hit in sorted(best_on_line, key=lambda h: -h.score):
            if not any(set(map(id, hit.words)) & set(map(id, k.words)) for k in kept):
                kept.append(hit)
        hits.extend(kept)
    return sorted(hits, key=lambda h: (h.box.y, h.box.x))


def followed_by(ocr: OcrResult, hit: LabelHit, word: str, min_score: float = 80.0) -> bool:
    """Whether the word right after the label on its line is `word` (fuzzily)."""
    last = hit.words[-1]
    row = sorted((w for w in ocr.words if w.line == last.line and w.box.x > last.box.x),
                 key=lambda w: w.box.x)
    return bool(row) and fuzz.ratio(label_key(row[0].text), label_key(word)) >= min_score


@dataclass(frozen=True)
class Value:
    """The words printed right of a label, and the label's box."""

    words: tuple[Word, ...]
    label: Box

    @property
    def text(self) -> str:
        text = " ".join(w.text for w in self.words)
        return re.sub(r"^\s*[:;.=]+\s*", "", text).strip()

    @property
    def confidence(self) -> float:
        return mean_confidence(self.words)

    @property
    def box(self) -> Box | None:
        return union_box(self.words) if self.words else None


def value_right_of(ocr: OcrResult, hit: LabelHit, stop_labels: tuple[str, ...] = ()) -> Value:
    """The value printed on the label's row, colon and label remnants dropped."""
    words = strip_colon(words_right_of(ocr, hit.box, stop_labels=stop_labels))
    return Value(words=tuple(words), label=hit.box)


def name_field(name: str, value: Value | None) -> ExtractedField:
    """A person's or company's name: upper-case words, None when nothing legible."""
    if value is None or not value.words:
        return ExtractedField(name=name, value=None, confidence=0.0)
    cleaned = normalise_name(value.text)
    # A name has letters; a lone mark or digit string is not one.
    if sum(c.isalpha() for c in cleaned) < 2:
        return ExtractedField(name=name, value=None, confidence=0.0, box=value.box,
                              raw=value.text or None)
    return ExtractedField(name=name, value=cleaned, confidence=round(value.confidence, 3),
                          box=value.box, raw=value.text)


def missing(name: str, raw: str | None = None, box: Box | None = None) -> ExtractedField:
    """A field the page should carry but that could not be read."""
    return ExtractedField(name=name, value=None, confidence=0.0, box=box, raw=raw)
