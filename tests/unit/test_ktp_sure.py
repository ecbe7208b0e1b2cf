"""When the e-KTP page reading of a value stands without re-reading its crop.

A value is taken from the page reading only when the recogniser is sure of
every word, the value starts at the card's value column and its print is
whole; a highlight that washes out part of it sends it to the crop reader.
"""

from __future__ import annotations

import cv2
import numpy as np

from extractors.ktp import SURE_WORD, _printed_whole, _sure
from pipeline.types import Box, Word

FONT = cv2.FONT_HERSHEY_SIMPLEX
LEFT, BASELINE = 300, 100


def card(text: str, after: str = "", after_level: int = 180, width: int = 1200
         ) -> tuple[np.ndarray, list[Word]]:
    """A white strip with `text` printed black at the value column, `after` printed faintly
    right of it; the value's words with their boxes."""
    image = np.full((160, width), 255, np.uint8)
    words: list[Word] = []
    x = LEFT
    for part in text.split():
        (w, h), _ = cv2.getTextSize(part, FONT, 1.2, 3)
        cv2.putText(image, part, (x, BASELINE), FONT, 1.2, 0, 3)
        words.append(Word(text=part, confidence=0.95, box=Box(x=x, y=BASELINE - h, w=w, h=h),
                          line=0))
        x += w + 20
    if after:
        cv2.putText(image, after, (x, BASELINE), FONT, 1.2, after_level, 3)
    return image, words


def test_a_value_printed_whole_on_blank_paper_stands() -> None:
    image, words = card("SUGIYONO LESTARI")
    assert _printed_whole(image, words)
    assert _sure(image, words, LEFT)


def test_faint_letters_after_the_value_send_it_to_the_crop() -> None:
    image, words = card("NOR", after="HAYATI")
    assert not _printed_whole(image, words)
    assert not _sure(image, words, LEFT)


def test_a_pale_stretch_within_the_value_sends_it_to_the_crop() -> None:
    image, words = card("ROBERTUS RUMAPEA")
    first = words[0].box
    # A highlight over the first word's letters: still readable, no longer ink.
    region = image[first.y:first.y + first.h, first.x:first.x + first.w]
    region[region < 128] = 170
    assert not _printed_whole(image, words)


def test_a_value_at_the_edge_of_the_capture_may_go_on() -> None:
    image, words = card("SAMBOJA", width=LEFT + 150)
    assert not _printed_whole(image, words)


def test_unsure_words_or_a_value_off_the_column_are_reread() -> None:
    image, words = card("KOTA BESI")
    unsure = [words[0], words[1].model_copy(update={"confidence": SURE_WORD - 0.01})]
    assert not _sure(image, unsure, LEFT)
    # The value starts two text heights right of where the card's values start:
    # its start was washed out.
    assert not _sure(image, words, LEFT - 2 * words[0].box.h)
    assert not _sure(image, words, None)
    assert not _sure(image, [], LEFT)


def test_a_value_starting_a_letter_right_of_the_column_is_reread() -> None:
    # The page reading dropped "J" of "JL. SUDIRMAN" and was sure of "L. SUDIRMAN".
    image, words = card("JL. SUDIRMAN")
    (letter, _), _ = cv2.getTextSize("J", FONT, 1.2, 3)
    assert _sure(image, words, LEFT)
    assert not _sure(image, words, LEFT - letter)
    # Within the drift of a reduced reading it stands (LOST_LETTER).
    assert _sure(image, words, LEFT - int(0.25 * words[0].box.h))
