"""Whether part of the document lies outside the photo ("cut_off").

A page cut by the frame loses whatever was printed there, and reading the
rest gives a partial document that looks complete. A photographed
document lies on a background (a table, a cloth) that shows on all four
sides of the frame; a cut one runs off one side of the frame along a long
stretch, where its paper, print or coloured band meet the edge, while the
background still shows on the other sides. Letters touching the frame do
not tell that apart (print near the edge is common in whole photos); the
stretch of the frame covered by something other than the background does.

Two views of that stretch, each measured per side of the frame as the
longest share of the side that is not background:

- `region_reach`: the image is cut into regions by the edges of the
  document's outline and its print; the background is the region with
  most contact with the frame, with the regions of its level and colour
  (pieces of the table that a document's corner cuts off). Where an outline fades
  (white paper on a pale table) the document's region leaks into the
  background's and this view sees nothing: it errs only towards "whole".
- `light_reach`: the background along a side is predicted from the other
  three sides (its colour, and its brightness as a smooth surface for
  uneven light); the side's stretch that differs from the prediction is
  the document. It needs no outline, but uneven light it cannot predict
  makes a side look different over a shorter stretch than a cut does.

Either view past its threshold reports the page cut off. A flatbed scan has
no background of another level: its bed and paper are one region and one
colour, and nothing differs. Figures are in the constants' comments.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from pipeline.imaging.geometry import reduced

# Long side of the analysed copy: an outline is a shape, not a detail.
SIDE = 400
# Below this short side (analysed pixels) there is no frame to speak of;
# such a page is "too_small" anyway.
MIN_SHORT_SIDE = 40
# Sides of the frame as (name, name of the opposite side).
SIDES = (("top", "bottom"), ("bottom", "top"), ("left", "right"), ("right", "left"))

# `region_reach`: Canny thresholds on lightness and on the colour channels
# (amplified: a light blue card on a grey table differs in hue more than in
# lightness). Lower thresholds break the table's grain into regions of
# their own, which then count as "not background" along the frame.
EDGE_LOW, EDGE_HIGH = 20, 60
CHROMA_GAIN = 6.0
# A region belongs to the background when its median lightness is within
# this many levels (or three of the background's median deviations) of it,
# and its colour (Lab a and b) within SAME_HUE: the white body of a Kartu
# Peserta on a neutral grey table differs from it by 5 in colour and by
# less than the table's own spread in lightness.
SAME_LEVEL = 12.0
SAME_HUE = 4.0

# `light_reach`: strips this many pixels deep, starting this far in, read
# after a blur of this sigma (analysed pixels).
STRIP_MARGIN, STRIP_DEPTH = 2, 6
STRIP_BLUR = 1.5
# Lightness and colour differences (Lab, 8-bit) from the predicted
# background that mark a position as document.
LIGHT_STEP, COLOUR_STEP = 18.0, 6.0
# Share of the opposite side that must fit the background predicted for a
# side: a cut document leaves the background showing across from it.
MIN_OPPOSITE_FIT = 0.6

# Gaps shorter than this share of a side do not break a stretch: print at
# the frame's edge cuts the document's region along it into pieces.
GAP_SHARE = 0.03

# Thresholds on the longest stretch (share of a side), measured on generated
# captures of the seven kinds (seeds 4242, 4343, 4444, 4545 and 4646; the
# last untouched while the measure was set): 2,065 whole pages (phone
# photos plain, rotated, with glare, blurred, defocused, shrunk; flatbed
# scans; cards cut out of a shared scan) reach at most 0.14 by regions and
# 0.37 by light; of 490 pages cut by 20-30%, 479 reach 0.29 or more by
# regions (most 0.75-0.85), and 10 of the 11 others 0.66 or more by light.
MIN_REGION_REACH = 0.25
MIN_LIGHT_REACH = 0.5


def _small_colour(image: np.ndarray) -> np.ndarray:
    """A BGR uint8 copy of grey, BGR or BGRA `image`, about SIDE px on its long side."""
    if image.dtype != np.uint8:
        image = image.astype(np.uint8)
    small, _ = reduced(image, SIDE)
    if small.ndim == 2:
        return cv2.cvtColor(small, cv2.COLOR_GRAY2BGR)
    if small.shape[2] == 4:
        return cv2.cvtColor(small, cv2.COLOR_BGRA2BGR)
    return small


def _longest_run(marked: np.ndarray) -> float:
    """Longest stretch of True in a 1-D mask, gaps under GAP_SHARE closed, as a share.

    A stretch from one end to the other does not count: something that
    fills a whole side of the frame is the scene itself (the sea and the
    sand of a holiday snapshot, a page photographed close up), not a
    document that runs off it with the background beside it.
    """
    if not marked.any():
        return 0.0  # two sides in three of a whole page, on generated captures
    gap = max(3, int(GAP_SHARE * marked.size))
    closed = cv2.morphologyEx(marked.astype(np.uint8).reshape(1, -1), cv2.MORPH_CLOSE,
                              np.ones((1, gap), np.uint8)).ravel() > 0
    padded = np.concatenate([[False], closed, [False]])
    starts = np.flatnonzero(~padded[:-1] & padded[1:])
    ends = np.flatnonzero(padded[:-1] & ~padded[1:])
    partial = (starts > 0) | (ends < marked.size)
    if not partial.any():
        return 0.0
    return float((ends - starts)[partial].max()) / marked.size


def _border_lines(image: np.ndarray) -> dict[str, np.ndarray]:
    """The row or column one pixel inside each side of the frame, by side.

    One pixel in: the outermost pixels carry no edges (Canny leaves them out).
    """
    return {"top": image[1, :], "bottom": image[-2, :], "left": image[:, 1],
            "right": image[:, -2]}


def _count_medians(counts: np.ndarray) -> np.ndarray:
    """Per row of `counts` (how often each bin 0, 1, 2... occurs), the median bin.

    The value np.median gives for the values themselves, the mean of the
    two middle ones when their number is even. One bincount over the image
    gives these counts for every region at once, where a median per region
    over its own pixels costs a pass over the whole image each.
    """
    total = counts.sum(axis=-1, keepdims=True)
    cumulative = counts.cumsum(axis=-1)
    below = np.argmax(cumulative > (total - 1) // 2, axis=-1)
    above = np.argmax(cumulative > total // 2, axis=-1)
    return (below + above) / 2


def _like_background(lab: Sequence[np.ndarray], labels: np.ndarray, regions: np.ndarray,
                     background: int) -> np.ndarray:
    """Per label in `regions` (`background` among them): has it the background's level and colour?

    The medians are those of the regions' pixels; each region gets a row of
    level counts per Lab channel (all other pixels a spare last row), so one
    pass over the image serves all regions.
    """
    row = np.full(labels.max() + 1, len(regions))
    row[regions] = np.arange(len(regions))
    rows = row[labels].ravel() * 256
    counts = np.stack([np.bincount(rows + channel.ravel(), minlength=(len(regions) + 1) * 256)
                       .reshape(-1, 256)[:-1] for channel in lab], axis=1)
    # float32: the precision in which the allowances below were measured.
    medians = _count_medians(counts).astype(np.float32)
    median = medians[row[background]]
    # The median deviation from the background's median, in half levels (the
    # median may fall between two levels): counts of each level regrouped by
    # its doubled distance from the median.
    doubled = np.abs(2 * np.arange(256) - 2 * median[:, None]).astype(int)
    ground = counts[row[background]]
    off = np.stack([np.bincount(doubled[channel], weights=ground[channel], minlength=511)
                    for channel in range(3)])
    deviation = 3.0 * (_count_medians(off) / 2).astype(np.float32)
    level = max(SAME_LEVEL, float(deviation[0]))
    # Light that dims a brown table by a fifth dims its colour by as much:
    # the colour may differ in proportion to the lightness allowed.
    hue = SAME_HUE + np.abs(median[1:] - 128) * level / max(float(median[0]), 1.0)
    spread = np.concatenate([[level], np.maximum(hue, deviation[1:])])
    return np.all(np.abs(medians - median) < spread, axis=1)


def region_reach(image: np.ndarray) -> dict[str, float]:
    """Per side, the longest share of the frame held by regions unlike the background.

    A side scores 0 when its opposite side reaches MIN_REGION_REACH too.
    """
    return _region_reach(_small_colour(image))


def _region_reach(small: np.ndarray) -> dict[str, float]:
    """`region_reach` of the analysed copy `small` (BGR, about SIDE px)."""
    lab = cv2.split(cv2.cvtColor(cv2.GaussianBlur(small, (0, 0), 2.0), cv2.COLOR_BGR2LAB))
    edges = cv2.Canny(lab[0], EDGE_LOW, EDGE_HIGH)
    for channel in lab[1:]:
        # Neutral is 128 in 8-bit Lab; the gain stretches hue around it.
        amplified = cv2.convertScaleAbs(channel, alpha=CHROMA_GAIN, beta=128 * (1 - CHROMA_GAIN))
        edges |= cv2.Canny(amplified, EDGE_LOW, EDGE_HIGH)
    edges = cv2.dilate(edges, np.ones((3, 3), np.uint8))
    # Four-connected: a diagonal step between two edge pixels is no way through.
    count, labels = cv2.connectedComponents((edges == 0).astype(np.uint8), connectivity=4)
    lines = _border_lines(labels)
    border = np.concatenate(list(lines.values()))
    contact = np.bincount(border, minlength=count)
    contact[0] = 0  # edge pixels belong to no region
    if contact.max() == 0:
        return {name: 0.0 for name, _ in SIDES}
    background = int(np.argmax(contact))
    touching = np.flatnonzero(contact)
    alike = np.zeros(count, bool)
    alike[background] = True
    # Most whole pages have the background alone along the frame: no other
    # region to compare with it (on generated captures the median page has
    # one region on the frame, the 90th percentile four).
    if len(touching) > 1:
        alike[touching] = _like_background(lab, labels, touching, background)
    reach = {name: _longest_run(~alike[line]) for name, line in lines.items()}
    # Background must show across from the side: bands of a scene (sky, sea,
    # sand) cross two opposite sides alike, a cut document one.
    return {name: reach[name] if reach[opposite] < MIN_REGION_REACH else 0.0
            for name, opposite in SIDES}


def _strips(small: np.ndarray) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per side: the strip's Lab values along it (median across its depth) and their (x, y).

    Values are read after a blur that evens out print and grain. Only a band
    along each side is blurred, deep enough for the blur's reach behind the
    strip, and the bands of the left and right sides are turned to lie along
    rows first: OpenCV blurs 8-bit images in exact integer arithmetic, so the
    values are those of the whole image blurred, for a third of the cost (a
    tall narrow band costs more to blur than the whole image).
    """
    height, width = small.shape[:2]
    near, far = STRIP_MARGIN, STRIP_MARGIN + STRIP_DEPTH
    # OpenCV's kernel for 8-bit images reaches about 3 sigma; a row to spare.
    band = far + int(np.ceil(3 * STRIP_BLUR)) + 1
    bands = {"top": (small[:band], slice(near, far)),
             "bottom": (small[-band:], slice(-far, -near)),
             "left": (cv2.transpose(small[:, :band]), slice(near, far)),
             "right": (cv2.transpose(small[:, -band:]), slice(-far, -near))}
    # The four strips side by side: one conversion and one median for all.
    together = np.concatenate([cv2.GaussianBlur(lengthwise, (0, 0), STRIP_BLUR)[rows]
                               for lengthwise, rows in bands.values()], axis=1)
    along = np.median(cv2.cvtColor(together, cv2.COLOR_BGR2LAB), axis=0).astype(np.float32)
    top, bottom, left, right = np.split(along, np.cumsum([width, width, height]))
    middle = STRIP_MARGIN + STRIP_DEPTH / 2
    xs, ys = np.arange(width, dtype=np.float32), np.arange(height, dtype=np.float32)
    return {
        "top": (top, np.stack([xs, np.full(width, middle)], 1)),
        "bottom": (bottom, np.stack([xs, np.full(width, height - middle)], 1)),
        "left": (left, np.stack([np.full(height, middle), ys], 1)),
        "right": (right, np.stack([np.full(height, width - middle), ys], 1)),
    }


def _median(values: np.ndarray) -> np.ndarray:
    """np.median(values, axis=0), the same value, without its generality.

    The fits below take some twenty medians of a thousand values a page;
    np.median's checks and dispatch cost three times the partition itself.
    """
    half = len(values) // 2
    if len(values) % 2:
        return np.partition(values, half, axis=0)[half]
    if half == 0:
        return np.median(values, axis=0)  # no values: NaN, as np.median gives
    part = np.partition(values, (half - 1, half), axis=0)
    return (part[half - 1] + part[half]) / 2


def _hue_distance(colour: np.ndarray, hue: np.ndarray) -> np.ndarray:
    """Distance from `hue` in Lab's (a, b) plane of each column of `colour` (a row, b row).

    The values np.linalg.norm gives for positions as rows, in a fifth of
    its time: it is taken a dozen times a page.
    """
    a, b = colour[0] - hue[0], colour[1] - hue[1]
    return np.sqrt(a * a + b * b)


def _surface(points: np.ndarray, width: int, height: int) -> np.ndarray:
    """Terms of a quadratic surface in x and y (centred, unit-scaled) at `points`."""
    x = points[:, 0] / width - 0.5
    y = points[:, 1] / height - 0.5
    return np.stack([np.ones_like(x), x, y, x * x, y * y, x * y], 1)


def light_reach(image: np.ndarray) -> dict[str, float]:
    """Per side, the longest share unlike the background predicted from the other sides.

    The prediction is refitted up to three times without the positions
    that differ from it (until they no longer change), so a document corner
    touching another side does not bend it. A side whose opposite side does not fit the prediction
    (another side is cut, or the background is not smooth) scores 0.
    """
    return _light_reach(_small_colour(image))


def _light_reach(small: np.ndarray) -> dict[str, float]:
    """`light_reach` of the analysed copy `small` (BGR, about SIDE px)."""
    height, width = small.shape[:2]
    strips = _strips(small)
    # Each strip's surface terms serve the fits of the three other sides.
    surfaces = {name: _surface(points, width, height) for name, (_, points) in strips.items()}
    reach: dict[str, float] = {}
    for name, opposite in SIDES:
        others = [other for other, _ in SIDES if other != name]
        values = np.concatenate([strips[other][0] for other in others])
        terms = np.concatenate([surfaces[other] for other in others])
        colour = np.ascontiguousarray(values[:, 1:].T)
        fits = np.ones(len(values), bool)
        for _round in range(3):
            coefficients, *_ = np.linalg.lstsq(terms[fits], values[fits, 0], rcond=None)
            light_off = np.abs(values[:, 0] - terms @ coefficients)
            hue = _median(values[fits, 1:])
            colour_off = _hue_distance(colour, hue)
            light_spread = float(_median(light_off[fits]))
            colour_spread = float(_median(colour_off[fits]))
            refitted = (light_off < 4 * light_spread + 4) & (colour_off < 4 * colour_spread + 3)
            # The same positions would give the same fit again: it has settled.
            settled = np.array_equal(refitted, fits)
            fits = refitted
            if settled:
                break
        start = sum(len(strips[other][0]) for other in others[:others.index(opposite)])
        if fits[start:start + len(strips[opposite][0])].mean() < MIN_OPPOSITE_FIT:
            reach[name] = 0.0
            continue
        side_values = strips[name][0]
        light = np.abs(side_values[:, 0] - surfaces[name] @ coefficients)
        hue_off = _hue_distance(side_values[:, 1:].T, hue)
        differs = ((light > max(LIGHT_STEP, 4 * light_spread))
                   | (hue_off > max(COLOUR_STEP, 4 * colour_spread)))
        reach[name] = _longest_run(differs)
    return reach


def is_cut_off(image: np.ndarray) -> bool:
    """Whether the document in `image` (grey, BGR or BGRA, as captured) runs off the frame."""
    if min(image.shape[:2]) * min(1.0, SIDE / max(image.shape[:2])) < MIN_SHORT_SIDE:
        return False
    # One reduced copy for both views: reducing a capture costs more than
    # either view (on generated captures about 6.5 ms against 4 and 3).
    small = _small_colour(image)
    return (max(_region_reach(small).values()) >= MIN_REGION_REACH
            or max(_light_reach(small).values()) >= MIN_LIGHT_REACH)
