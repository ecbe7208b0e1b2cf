"""The closed vocabularies printed on an e-KTP and snapping OCR text onto them.

Dukcapil prints religion, marital status, blood group, citizenship and the
validity from fixed lists, and the job from a long but known one. OCR text
is snapped to the list entry it clearly is (rapidfuzz ratio above a
cut-off); text that is not clearly one entry stays unread (None), except
for the job, where an unlisted job is kept as read (the list is not
exhaustive).
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz, process

from extractors.fields import normalise_name, normalise_text, parse_date_id, repair_digits

# Both spellings occur on issued cards.
RELIGIONS = ("ISLAM", "KRISTEN", "KATOLIK", "KATHOLIK", "HINDU", "BUDDHA", "BUDHA", "KONGHUCU",
             "KHONGHUCU", "KEPERCAYAAN TERHADAP TUHAN YME")
MARITAL = ("BELUM KAWIN", "KAWIN", "CERAI HIDUP", "CERAI MATI")
BLOOD_GROUPS = ("A", "B", "AB", "O", "A+", "A-", "B+", "B-", "AB+", "AB-", "O+", "O-")
CITIZENSHIP = ("WNI", "WNA")
LIFETIME = "SEUMUR HIDUP"
# Dukcapil's job list (the common entries; others are kept as read).
JOBS = ("BELUM/TIDAK BEKERJA", "MENGURUS RUMAH TANGGA", "PELAJAR/MAHASISWA", "PENSIUNAN",
        "PEGAWAI NEGERI SIPIL", "TENTARA NASIONAL INDONESIA", "KEPOLISIAN RI", "PERDAGANGAN",
        "PETANI/PEKEBUN", "PETERNAK", "NELAYAN/PERIKANAN", "INDUSTRI", "KONSTRUKSI",
        "TRANSPORTASI", "KARYAWAN SWASTA", "KARYAWAN BUMN", "KARYAWAN BUMD",
        "KARYAWAN HONORER", "BURUH HARIAN LEPAS", "BURUH TANI/PERKEBUNAN",
        "BURUH NELAYAN/PERIKANAN", "BURUH PETERNAKAN", "PEMBANTU RUMAH TANGGA", "TUKANG CUKUR",
        "TUKANG LISTRIK", "TUKANG BATU", "TUKANG KAYU", "TUKANG JAHIT", "SOPIR", "GURU",
        "DOSEN", "DOKTER", "BIDAN", "PERAWAT", "PEDAGANG", "WIRASWASTA", "MEKANIK",
        "PENATA RAMBUT", "WARTAWAN", "USTADZ/MUBALIGH", "PENDETA", "PASTOR", "LAINNYA")

_KEEP = re.compile(r"[^A-Z0-9/ .,'\-]")


def clean_value(text: str) -> str:
    """Upper-case value text without label noise: leading colon marks, odd characters."""
    cleaned = _KEEP.sub(" ", normalise_text(text))
    cleaned = re.sub(r"^[\s:;.,\-=|]+", "", cleaned)
    return re.sub(r"\s+", " ", cleaned).strip(" ,-")


def clean_address(text: str) -> str:
    """An address line: as `clean_value`, with the house number spaced as printed ("NO. 8")."""
    cleaned = re.sub(r"\bNO\.(?=\d)", "NO. ", clean_value(text))
    # The colon glued to the street type and read as "1": "1JL." is ": JL.".
    return re.sub(r"^[1lI|!](?=(JL|GG|KOMP|PERUM|JALAN|DUSUN|DS)\b)", "", cleaned)


def person_name(text: str) -> str | None:
    """A holder's name from the value words: upper-case words up to the first digit.

    Names on an e-KTP carry no digits and are printed in capitals: a word
    with a digit belongs to the next row (the birth date), and trailing
    words without a capital are marks of the card's ground.
    """
    words = []
    for word in text.split():
        if any(ch.isdigit() for ch in word):
            break
        words.append(word)
    while words and not any(ch.isupper() for ch in words[-1]):
        words.pop()
    return normalise_name(" ".join(words)) or None


def snap(text: str, choices: tuple[str, ...] | list[str], cutoff: float) -> str | None:
    """The entry of `choices` that `text` clearly is, or None."""
    cleaned = clean_value(text)
    if not cleaned:
        return None
    match = process.extractOne(cleaned, list(choices), scorer=fuzz.ratio, score_cutoff=cutoff)
    return str(match[0]) if match else None


def parse_blood_group(text: str) -> str | None:
    """A, B, AB, O (with rhesus sign) or "-" when the card prints none.

    Only the first word counts (what follows is noise from the card's
    ground); digits are read as the letters they resemble (0 O, 8 B, 4 A).
    """
    words = normalise_text(text).lstrip(":;.=| ").split()
    if not words:
        return None
    first = words[0].translate(str.maketrans("084", "OBA")).lstrip(":;.=|")
    if first and set(first) <= set("-~_"):
        return "-"
    for group in sorted(BLOOD_GROUPS, key=len, reverse=True):
        if first.startswith(group):
            return group
    return None


def parse_rt_rw(text: str) -> str | None:
    """"001/004" from "001 / 004", "OO1/0O4", ": 001/004"; None unless 3 + 3 digits.

    Both numbers are printed with three digits, so a mark read before a
    group (the colon as "1") or a slash read as "1" is recognised by the
    count of digits, not guessed.
    """
    cleaned = repair_digits(normalise_text(text).replace(" ", "")).lstrip(":;.=")
    parts = cleaned.split("/")
    if len(parts) == 2 and all(p.isdigit() and 3 <= len(p) <= 4 for p in parts):
        rt, rw = parts[0][-3:], parts[1][-3:]
    elif cleaned.isdigit() and len(cleaned) in (6, 7, 8):
        # 6: slash lost; 7: slash read as "1"; 8: colon and slash read as "1".
        start = 1 if len(cleaned) == 8 else 0
        rt, rw = cleaned[start:start + 3], cleaned[-3:]
    else:
        return None
    return f"{rt}/{rw}"


def parse_validity(text: str) -> str | None:
    """"SEUMUR HIDUP" or an ISO date ("BERLAKU HINGGA 17-08-2030")."""
    if snap(text, (LIFETIME,), 75):
        return LIFETIME
    until = parse_date_id(text)
    return until.isoformat() if until else None


def parse_job(text: str) -> str | None:
    """A listed job when clearly one; otherwise the cleaned text (the list is open)."""
    cleaned = clean_value(text)
    if len(cleaned) < 3:
        return None
    return snap(cleaned, JOBS, 85) or cleaned
