"""The white margin added before tesseract lays out a page, and word boxes brought back."""

import numpy as np

from pipeline.imaging.margin import add_margin, clip_box, needs_margin, words_without_margin
from pipeline.types import Box, Word


def word(x: int, y: int, w: int, h: int, text: str = "NIK") -> Word:
    return Word(text=text, confidence=0.9, box=Box(x=x, y=y, w=w, h=h), line=0)


def test_clip_box_inside_is_unchanged() -> None:
    assert clip_box(Box(x=5, y=6, w=10, h=4), 100, 50) == Box(x=5, y=6, w=10, h=4)


def test_clip_box_cuts_what_lies_outside() -> None:
    assert clip_box(Box(x=-3, y=-2, w=10, h=6), 100, 50) == Box(x=0, y=0, w=7, h=4)
    assert clip_box(Box(x=95, y=45, w=10, h=10), 100, 50) == Box(x=95, y=45, w=5, h=5)


def test_clip_box_outside_or_empty_is_none() -> None:
    assert clip_box(Box(x=-8, y=10, w=8, h=5), 100, 50) is None  # ends at the left edge
    assert clip_box(Box(x=100, y=10, w=4, h=5), 100, 50) is None
    assert clip_box(Box(x=10, y=60, w=4, h=5), 100, 50) is None
    assert clip_box(Box(x=10, y=10, w=0, h=5), 100, 50) is None


def test_words_move_back_by_the_margin_and_stay_in_the_image() -> None:
    words = (word(18, 28, 30, 12, "nama"),   # inside: moved back only
             word(2, 2, 4, 4, "."),           # wholly in the margin: dropped
             word(100, 50, 20, 10, "edge"))   # over the right edge: cut
    kept = words_without_margin(words, 8, 110, 60)
    assert [w.text for w in kept] == ["nama", "edge"]
    assert kept[0].box == Box(x=10, y=20, w=30, h=12)
    assert kept[1].box == Box(x=92, y=42, w=18, h=10)


def test_add_margin_is_white_and_keeps_the_page() -> None:
    grey = np.zeros((20, 30), np.uint8)
    padded = add_margin(grey, 8)
    assert padded.shape == (36, 46)
    assert (padded[8:28, 8:38] == 0).all()
    assert padded[:8].min() == 255 and padded[:, -8:].min() == 255
    colour = np.zeros((20, 30, 3), np.uint8)
    assert add_margin(colour, 4).shape == (28, 38, 3)
    assert add_margin(grey, 0) is grey


def test_only_layout_modes_get_a_margin() -> None:
    assert needs_margin(3) and needs_margin(0) and needs_margin(11)
    assert not needs_margin(7) and not needs_margin(6)
