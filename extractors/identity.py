"""Choosing an identity number among OCR readings, repairing only what checks out.

A reading is used as printed when it has the right structure. A letter
read for a digit (O/0, I/1, B/8, S/5, Z/2, G/6) is repaired only when the
repaired number passes the structural checks of extractors.nik; otherwise
the value stays None and the raw text is kept. Nothing is invented.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from extractors.fields import repair_digits, strip_separators
from extractors.nik import nik_problems, split_nik
from pipeline.types import Box
from rules.regions import Regions

# A repaired reading is worth less than a clean one even when it checks out.
REPAIR_PENALTY = 0.75


@dataclass(frozen=True)
class Reading:
    """One OCR reading of a number: its text, confidence and where it was."""

    text: str
    confidence: float
    box: Box | None = None


@dataclass(frozen=True)
class Chosen:
    value: str | None
    confidence: float
    raw: str | None
    box: Box | None
    repaired: bool = False


def nik_candidate(text: str) -> tuple[str, bool]:
    """The 16-character candidate of a reading and whether letters had to be replaced."""
    compact = strip_separators(text)
    repaired = repair_digits(compact)
    return repaired, repaired != compact


def gender_agrees(nik: str, gender: str | None) -> bool:
    parts = split_nik(nik)
    if parts is None or gender is None:
        return True
    return parts.female == (gender == "PEREMPUAN")


def choose_nik(readings: list[Reading], regions: Regions, today: date,
               gender: str | None = None) -> Chosen:
    """The best structurally valid NIK among `readings`, in order of preference.

    Earlier readings are preferred (callers put the most careful read
    first). Agreement between two valid readings raises the confidence.
    """
    raw = next((r.text for r in readings if r.text.strip()), None)
    box = next((r.box for r in readings if r.box is not None), None)
    valid: list[tuple[str, float, Reading, bool]] = []
    for reading in readings:
        candidate, repaired = nik_candidate(reading.text)
        if nik_problems(candidate, regions, today):
            continue
        if repaired and not gender_agrees(candidate, gender):
            continue
        confidence = reading.confidence * (REPAIR_PENALTY if repaired else 1.0)
        valid.append((candidate, confidence, reading, repaired))
    if not valid:
        return Chosen(value=None, confidence=0.0, raw=raw, box=box)
    value, confidence, reading, repaired = valid[0]
    if any(other == value for other, *_ in valid[1:]):
        confidence = min(1.0, confidence + 0.1)
    elif len({v for v, *_ in valid}) > 1:
        # Two careful reads disagree: keep the preferred one but say we are unsure.
        confidence *= 0.6
    return Chosen(value=value, confidence=round(confidence, 3), raw=reading.text,
                  box=reading.box or box, repaired=repaired)


# Two independent readers agreeing on a valid NIK: trusted above the review line.
AGREED_CONFIDENCE = 0.97
# A single valid reading, or a majority with dissent: below it.
SINGLE_CONFIDENCE = 0.85
SPLIT_CONFIDENCE = 0.6


def _positional_majority(candidates: list[str]) -> str | None:
    """Per position, the character most readings agree on, if a strict majority does."""
    if len(candidates) < 3:
        return None
    out = []
    for chars in zip(*candidates):
        best = max(set(chars), key=chars.count)
        if 2 * chars.count(best) <= len(chars):
            return None
        out.append(best)
    return "".join(out)


def vote_nik(readings: list[Reading], regions: Regions, today: date,
             gender: str | None = None) -> Chosen:
    """The NIK most independent readings support; None when they disagree without a majority.

    Each reading's candidate (letters repaired) counts only when it passes
    the structural checks (and, when repaired, agrees with `gender`). The
    value with the most votes wins if no other has as many: agreed by two
    or more readings and disputed by none it gets AGREED_CONFIDENCE, a lone
    valid reading keeps its own confidence up to SINGLE_CONFIDENCE, a
    majority with dissent SPLIT_CONFIDENCE. Without a winner, a position
    by position majority of the 16-character readings is used only if it
    is itself valid and one of the readings; otherwise the value is None.
    """
    raw = next((r.text for r in readings if r.text.strip()), None)
    box = next((r.box for r in readings if r.box is not None), None)
    votes: dict[str, list[tuple[Reading, bool]]] = {}
    for reading in readings:
        candidate, repaired = nik_candidate(reading.text)
        if nik_problems(candidate, regions, today):
            continue
        if not gender_agrees(candidate, gender):
            continue
        votes.setdefault(candidate, []).append((reading, repaired))
    ranked = sorted(votes.items(), key=lambda item: -len(item[1]))
    if ranked and (len(ranked) == 1 or len(ranked[0][1]) > len(ranked[1][1])):
        value, support = ranked[0]
        first, repaired = support[0]
        if len(support) >= 2:
            confidence = AGREED_CONFIDENCE if len(ranked) == 1 else SPLIT_CONFIDENCE
        else:
            confidence = min(SINGLE_CONFIDENCE, first.confidence)
            confidence *= REPAIR_PENALTY if repaired else 1.0
            if any(len(nik_candidate(r.text)[0]) == 16 for r in readings if r is not first):
                # Another reader saw a 16-character number that does not check out.
                confidence = min(confidence, SPLIT_CONFIDENCE)
        return Chosen(value=value, confidence=round(confidence, 3), raw=first.text,
                      box=first.box or box, repaired=repaired)
    sixteen = [c for c in (nik_candidate(r.text)[0] for r in readings) if len(c) == 16]
    majority = _positional_majority(sixteen)
    if majority is not None and majority in votes:
        reading, repaired = votes[majority][0]
        return Chosen(value=majority, confidence=SPLIT_CONFIDENCE, raw=reading.text,
                      box=reading.box or box, repaired=repaired)
    return Chosen(value=None, confidence=0.0, raw=raw, box=box)
