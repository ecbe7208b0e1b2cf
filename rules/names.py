"""Comparing Indonesian personal and company names as an officer would.

Names on documents differ in ways that do not make them different people:
MUH./MOCH./MOHAMMAD for MUHAMMAD, academic and religious titles (H., HJ.,
S.E., IR.), word order, an initial for a word ("A. RAHMAN"), a single name
against a longer form, words run together or split ("NURHALIZA" /
"NUR HALIZA"), and OCR noise (a digit read for a letter, a letter or two
wrong). `match_names` says whether two spellings are the same person's, why,
and which of those differences it saw, so an officer can follow the call.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from rapidfuzz import fuzz

# Abbreviations that stand for MUHAMMAD on Indonesian documents.
_MUHAMMAD = {"MUH", "MUHD", "MOH", "MOCH", "MOCHAMAD", "MOCHAMMAD", "MOHAMAD", "MOHAMMAD",
             "MOHAMMED", "MUHAMAD", "MUHAMMED", "MHD", "MUCH", "MUHAMMAD", "M"}
# Titles dropped before comparing (prefix and suffix forms, dots removed).
_TITLES = {"H", "HJ", "HAJI", "HAJJAH", "IR", "DR", "DRS", "DRA", "PROF", "SE", "SH", "ST", "SPD",
           "SKOM", "SSOS", "SAG", "SHI", "SPDI", "SKM", "SKEP", "SSI", "SP", "STP", "SIP", "AMD",
           "AMDKEB", "AMDKEP", "MM", "MT", "MSI", "MPD", "MKOM", "MH", "SKED", "SFARM", "APT",
           "BSC", "MBA", "TN", "NY", "SDR", "SDRI", "BPK", "IBU"}
# Digits OCR reads for letters in a printed name.
_DIGIT_LETTERS = str.maketrans({"0": "O", "1": "I", "5": "S", "8": "B", "6": "G", "2": "Z",
                                "4": "A", "7": "T", "3": "E", "9": "G"})

FUZZY_THRESHOLD = 88.0
# One word of a shorter name against a word of the longer: OCR noise allowed.
WORD_THRESHOLD = 85.0


@dataclass(frozen=True)
class NameMatch:
    matched: bool
    score: float  # 0..100
    # exact, titles_or_abbreviations, word_order, initials, spacing,
    # single_name, ocr_noise, different
    reason: str
    # What was forgiven on the way, in plain words (for the officer).
    notes: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class _Tokens:
    words: list[str]
    notes: list[str]


def _tokens(name: str) -> _Tokens:
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    text = text.upper().replace("'", "").replace("`", "")
    notes: list[str] = []
    # A digit inside a word is a misread letter ("SUPR1ADI").
    repaired = re.sub(r"(?<=[A-Z])\d|\d(?=[A-Z])",
                      lambda m: m.group(0).translate(_DIGIT_LETTERS), text)
    if repaired != text:
        notes.append("digit read for a letter")
    text = repaired
    # Titles like "S.E." or "S.Kom" lose their dots to become one token.
    text = re.sub(r"\b([A-Z])\.(?=[A-Z]{1,4}\b\.?)", r"\1", text)
    words = [w for w in re.split(r"[^A-Z]+", text) if w]
    result: list[str] = []
    for word in words:
        if word in _TITLES:
            notes.append(f"title {word} dropped")
            continue
        if word in _MUHAMMAD:
            if word != "MUHAMMAD":
                notes.append(f"{word} read as MUHAMMAD")
            result.append("MUHAMMAD")
            continue
        result.append(word)
    return _Tokens(result, notes)


def name_tokens(name: str) -> list[str]:
    """Upper-case words without titles; MUHAMMAD variants made one form."""
    return _tokens(name).words


# Words of the forms' own labels: a reading made of these alone is a label
# caught as a value ("PEMILIK REKENING"), not anyone's name.
_LABEL_WORDS = {"NAMA", "PEMILIK", "REKENING", "BANK", "NOMOR", "NO", "TABUNGAN", "PESERTA",
                "TENAGA", "KERJA", "LENGKAP", "IBU", "KANDUNG", "NPWP", "NIK", "KPJ", "ALAMAT"}


def person_name(value: str | None) -> str | None:
    """`value` when it can be a person's name; None for a label read as a value."""
    if not value:
        return None
    words = re.findall(r"[A-Z]+", value.upper())
    if not words or all(word in _LABEL_WORDS for word in words):
        return None
    return value


def normalise_person_name(name: str) -> str:
    return " ".join(name_tokens(name))


def _word_matches(short: str, long: str) -> bool:
    if short == long:
        return True
    if len(short) == 1:  # an initial
        return long.startswith(short)
    return len(short) >= 4 and fuzz.ratio(short, long) >= WORD_THRESHOLD


def _contained(shorter: list[str], longer: list[str]) -> tuple[bool, bool]:
    """Whether each word of `shorter` matches a distinct word of `longer`, and
    whether an initial was needed."""
    free = list(longer)
    used_initial = False
    for word in shorter:
        found = next((w for w in free if w == word), None)
        if found is None:
            found = next((w for w in free if _word_matches(word, w)), None)
            used_initial = used_initial or (found is not None and len(word) == 1)
        if found is None:
            return False, used_initial
        free.remove(found)
    return True, used_initial


def match_names(first: str, second: str) -> NameMatch:
    """Whether two spellings name the same person, with the reason."""
    raw_a = " ".join(re.findall(r"[A-Z]+", first.upper()))
    raw_b = " ".join(re.findall(r"[A-Z]+", second.upper()))
    if raw_a and raw_a == raw_b:
        return NameMatch(True, 100.0, "exact")
    ta, tb = _tokens(first), _tokens(second)
    a, b = ta.words, tb.words
    notes = tuple(dict.fromkeys(ta.notes + tb.notes))
    if not a or not b:
        return NameMatch(False, 0.0, "different", notes)
    if a == b:
        only_digits = all(note == "digit read for a letter" for note in notes)
        return NameMatch(True, 100.0, "ocr_noise" if only_digits else "titles_or_abbreviations",
                         notes)
    if sorted(a) == sorted(b):
        return NameMatch(True, 100.0, "word_order", notes + ("words in another order",))
    if "".join(a) == "".join(b):
        return NameMatch(True, 100.0, "spacing", notes + ("words run together or split",))
    shorter, longer = (a, b) if len(a) <= len(b) else (b, a)
    # A lone MUHAMMAD (or initials only) says nothing about who it is.
    telling = [w for w in shorter if w != "MUHAMMAD" and len(w) > 1]
    if len(shorter) == len(longer) and telling:
        inside, initial = _contained(shorter, longer)
        if inside and initial:
            return NameMatch(True, 95.0, "initials", notes + ("a word written as its initial",))
    score = float(fuzz.token_sort_ratio(" ".join(a), " ".join(b)))
    if score >= FUZZY_THRESHOLD:
        return NameMatch(True, score, "ocr_noise", notes + (f"spelling {score:.0f}% alike",))
    if len(shorter) < len(longer) and telling:
        inside, _initial = _contained(shorter, longer)
        if inside:
            return NameMatch(True, 90.0, "single_name",
                             notes + ("one form leaves out words of the other",))
    return NameMatch(False, score, "different", notes)


# Legal forms and words that do not tell companies apart.
_COMPANY_NOISE = {"PT", "CV", "TBK", "PERSERO", "UD", "FA", "KOPERASI", "PERUSAHAAN"}


def company_tokens(name: str) -> list[str]:
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().upper()
    text = re.sub(r"(?<=[A-Z])\d|\d(?=[A-Z])", lambda m: m.group(0).translate(_DIGIT_LETTERS),
                  text)
    return [w for w in re.split(r"[^A-Z0-9]+", text) if w and w not in _COMPANY_NOISE]


def match_companies(first: str, second: str) -> NameMatch:
    """Whether two spellings name the same employer (legal form and noise aside)."""
    a, b = company_tokens(first), company_tokens(second)
    if not a or not b:
        return NameMatch(False, 0.0, "different")
    if a == b:
        return NameMatch(True, 100.0, "exact" if first.upper() == second.upper()
                         else "titles_or_abbreviations")
    score = float(fuzz.token_sort_ratio(" ".join(a), " ".join(b)))
    if score >= FUZZY_THRESHOLD:
        return NameMatch(True, score, "ocr_noise", (f"spelling {score:.0f}% alike",))
    return NameMatch(False, score, "different")
