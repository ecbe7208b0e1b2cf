"""Greyscale, even lighting, and text large enough for the recogniser."""

from __future__ import annotations

import cv2
import numpy as np

from pipeline.imaging.geometry import char_height_of_mask, ink_mask, reduced, text_heights_of_mask

# Tesseract reads best with capital letters about 20-40 px tall.
TARGET_CHAR_HEIGHT = 30.0
SMALL_CHAR_HEIGHT = 18.0
MAX_UPSCALE = 3.0


def to_grey(image: np.ndarray) -> np.ndarray:
    """uint8 greyscale from grey, BGR or BGRA input."""
    if image.ndim == 2:
        return image if image.dtype == np.uint8 else image.astype(np.uint8)
    if image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2GRAY)
    return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)


def normalise_illumination(grey: np.ndarray) -> np.ndarray:
    """Divide by the estimated paper brightness so shadows and gradients vanish.

    The background is the grey image with dark strokes closed over, taken
    on a reduced copy (lighting varies slowly) and scaled back up.
    """
    small, scale = reduced(grey, 600)
    kernel = max(9, int(min(small.shape[:2]) / 25)) | 1
    background = cv2.morphologyEx(small, cv2.MORPH_CLOSE,
                                  cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (kernel, kernel)))
    background = cv2.GaussianBlur(background, (kernel, kernel), 0)
    if scale < 1.0:
        background = cv2.resize(background, (grey.shape[1], grey.shape[0]),
                                interpolation=cv2.INTER_LINEAR)
    ratio = grey.astype(np.float32) / np.maximum(background.astype(np.float32), 1.0)
    return np.clip(ratio * 255.0, 0, 255).astype(np.uint8)


def estimate_char_height(grey: np.ndarray) -> float | None:
    """Median height in pixels of character-sized marks; None without text."""
    small, scale = reduced(grey, 2400)
    height = char_height_of_mask(ink_mask(small))
    return None if height is None else height / scale


def estimate_text_heights(grey: np.ndarray) -> tuple[float, float] | None:
    """`estimate_char_height` and `quality.letter_height` of `grey` from one labelling.

    Preparation needs both of the same image; each alone labels the marks
    of the whole page again. None without text.
    """
    small, scale = reduced(grey, 2400)
    heights = text_heights_of_mask(ink_mask(small))
    return None if heights is None else (heights[0] / scale, heights[1] / scale)


def upscale_small_text(grey: np.ndarray, max_pixels: int, char: float | None = None
                       ) -> tuple[np.ndarray, float]:
    """The image enlarged when its text is small, and the factor used (1.0 if not).

    `char` is the text height already measured on `grey` (measured here if not given).
    """
    char = estimate_char_height(grey) if char is None else char
    if char is None or char >= SMALL_CHAR_HEIGHT:
        return grey, 1.0
    factor = min(MAX_UPSCALE, TARGET_CHAR_HEIGHT / max(char, 1.0))
    pixels = grey.shape[0] * grey.shape[1]
    factor = min(factor, (max_pixels / max(pixels, 1)) ** 0.5)
    if factor <= 1.05:
        return grey, 1.0
    size = (int(grey.shape[1] * factor), int(grey.shape[0] * factor))
    return cv2.resize(grey, size, interpolation=cv2.INTER_CUBIC), factor
