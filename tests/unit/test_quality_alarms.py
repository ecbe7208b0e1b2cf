"""The page quality check in both directions: legible captures pass, spoilt ones do not.

A false "please rescan" sends a complete packet back to the participant, so
clean phone photos of white cards must pass; a capture smeared, out of focus
or washed out by a highlight must still be refused.
"""

import random
from datetime import date

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from fixtures import capture
from fixtures.people import generate_profiles
from fixtures.render import renderers
from pipeline.pages import prepare_page
from pipeline.types import Page, PageRef, Quality

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


def quality_of(image: np.ndarray) -> Quality:
    return prepare_page(Page(ref=PageRef(attachment_index=0), filename="p.jpg",
                             image=image)).quality


def card_photo(kind: str, person: int, seed: int) -> capture.Capture:
    people = generate_profiles(random.Random(5), 4, date(2020, 6, 15))
    rendered = renderers()[kind](people[person], random.Random(person))
    return capture.phone_capture(rendered.image, random.Random(seed))


# A bank book photographed with the lamp close: its text measured once at
# half its height, which made a legible page look blurred.
LEGIBLE = [("buku_tabungan", 3, 7), ("kartu_peserta", 0, 1), ("buku_tabungan", 1, 8),
           ("kartu_peserta", 2, 4)]


@pytest.mark.parametrize(("kind", "person", "seed"), LEGIBLE)
def test_legible_phone_photos_pass(kind: str, person: int, seed: int) -> None:
    quality = quality_of(card_photo(kind, person, seed).image)
    assert quality.readable, quality


@pytest.mark.parametrize(("kind", "person", "seed"), LEGIBLE)
@pytest.mark.parametrize("spoil", [capture.motion_blur, capture.defocus])
def test_smeared_or_unfocused_photos_are_blurred(kind: str, person: int, seed: int,
                                                 spoil: object) -> None:
    spoilt = spoil(card_photo(kind, person, seed), random.Random(seed))  # type: ignore[operator]
    quality = quality_of(spoilt.image)
    assert "blurred" in quality.reasons and not quality.readable, quality


def lit_card(light_left: float, light_right: float) -> np.ndarray:
    """A white card with dark printed bands on a grey table, text on its left half.

    The light grows from left to right; where it passes full white the blank
    right half of the card saturates, as under a phone's lamp.
    """
    card = Image.new("L", (1000, 620), 255)
    draw = ImageDraw.Draw(card)
    draw.rectangle((0, 0, 1000, 90), fill=70)
    draw.rectangle((0, 540, 1000, 620), fill=70)
    face = ImageFont.truetype(FONT, 26)
    for row, text in enumerate(("Nama : BAYU LESTARI", "Tanggal Lahir : 25-11-1996",
                                "Perusahaan : PT GUNUNG", "Peserta sejak : 21-12-2014")):
        draw.text((40, 150 + row * 80), text, fill=25, font=face)
    light = np.linspace(light_left, light_right, 1000, dtype=np.float32)[None, :]
    lit = np.clip(np.asarray(card, np.float32) * light, 0, 255)
    photo = np.full((820, 1300), 150, np.float32)
    photo[100:720, 150:1150] = lit
    noise = np.random.default_rng(3).normal(0, 2.0, photo.shape)
    return np.clip(photo + noise, 0, 255).astype(np.uint8)


def test_brightly_lit_white_card_is_not_glare() -> None:
    # The saturated blank paper sits beside the dark bands and the table but
    # fades into paper nearly as bright: lighting, not a highlight.
    quality = quality_of(lit_card(0.93, 1.08))
    assert "glare" not in quality.reasons and quality.readable, quality


def test_highlight_over_print_is_glare() -> None:
    # A lamp's reflection on a laminated card in dimmer light: a blown-out
    # patch, clearly brighter than the paper around it, hiding the print.
    photo = lit_card(0.78, 0.82)
    spot = np.zeros_like(photo)
    cv2.ellipse(spot, (420, 330), (170, 95), 0, 0, 360, 255, -1)
    spot = cv2.GaussianBlur(spot, (0, 0), 3)
    quality = quality_of(cv2.add(photo, spot))
    assert "glare" in quality.reasons and not quality.readable, quality
