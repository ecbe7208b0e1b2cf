"""Comparing Indonesian personal names as an officer would.

Names on documents differ in ways that do not make them different people:
MUH./MOCH./MOHAMMAD for MUHAMMAD, academic and religious titles (H., HJ.,
S.E., IR.), word order, a single name against a longer form, and OCR noise.
`match_names` says whether two spellings are the same person's and why.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz import fuzz

# Abbreviations that stand for MUHAMMAD on Indonesian documents.
_MUHAMMAD = {"MUH", "MUHD", "MOH", "MOCH", "MOCHAMAD", "MOCHAMMAD", "MOHAMAD", "MOHAMMAD",
             "MOHAMMED", "MUHAMAD", "MUHAMMED", "MHD", "MUCH", "MUHAMMAD", "M"}
# Titles dropped before comparing (prefix and suffix forms, dots removed).
_TITLES = {"H", "HJ", "HAJI", "HAJJAH", "IR", "DR", "DRS", "DRA", "PROF", "SE", "SH", "ST", "SPD",
           "SKOM", "SSOS", "SAG", "SHI", "SPDI", "SKM", "SKEP", "SSI", "SP", "STP", "SIP", "AMD",
           "AMDKEB", "AMDKEP", "MM", "MT", "MSI", "MPD", "MKOM", "MH", "SKED", "SFARM", "APT",
           "BSC", "MBA", "TN", "NY", "SDR", "SDRI", "BPK", "IBU"}

FUZZY_THRESHOLD = 88.0


@dataclass(frozen=True)
class NameMatch:
    matched: bool
    score: float  # 0..100
    reason: str  # exact, titles_or_abbreviations, word_order, single_name, ocr_noise, different


def name_tokens(name: str) -> list[str]:
    """Upper-case words without titles; MUHAMMAD variants made one form."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    text = text.upper().replace("'", "").replace("`", "")
    # Titles like "S.E." or "S.Kom" lose their dots to become one token.
    text = re.sub(r"\b([A-Z])\.(?=[A-Z]{1,4}\b\.?)", r"\1", text)
    words = [w for w in re.split(r"[^A-Z]+", text) if w]
    result: list[str] = []
    for word in words:
        if word in _TITLES:
            continue
        result.append("MUHAMMAD" if word in _MUHAMMAD else word)
    return result


def normalise_person_name(name: str) -> str:
    return " ".join(name_tokens(name))


def match_names(first: str, second: str) -> NameMatch:
    """Whether two spellings name the same person, with the reason."""
    raw_a = " ".join(re.findall(r"[A-Z]+", first.upper()))
    raw_b = " ".join(re.findall(r"[A-Z]+", second.upper()))
    if raw_a and raw_a == raw_b:
        return NameMatch(True, 100.0, "exact")
    a, b = name_tokens(first), name_tokens(second)
    if not a or not b:
        return NameMatch(False, 0.0, "different")
    if a == b:
        return NameMatch(True, 100.0, "titles_or_abbreviations")
    if sorted(a) == sorted(b):
        return NameMatch(True, 100.0, "word_order")
    shorter, longer = (a, b) if len(a) <= len(b) else (b, a)
    # A single given name against the full name ("SUPARMAN" vs "SUPARMAN
    # HADI"), but never a lone MUHAMMAD, which says nothing about who it is.
    if shorter != ["MUHAMMAD"] and all(word in longer for word in shorter):
        return NameMatch(True, 90.0, "single_name")
    score = float(fuzz.token_sort_ratio(" ".join(a), " ".join(b)))
    if score >= FUZZY_THRESHOLD:
        return NameMatch(True, score, "ocr_noise")
    return NameMatch(False, score, "different")
