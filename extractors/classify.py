"""Which document a page holds, from keywords in its OCR text.

What varies per kind is data (KEYWORDS); the scoring is small and general.
Each keyword found (fuzzily: OCR noise) adds its weight; the best kind wins
if its score is clear of the runner-up. A page with almost no text is a
photo; a page with text but no kind is unknown.
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from extractors.fields import normalise_text
from pipeline.types import DocumentKind, OcrResult

# (keyword, weight). Weights: a title or issuer that names the kind counts most.
KEYWORDS: dict[DocumentKind, tuple[tuple[str, float], ...]] = {
    DocumentKind.KTP: (("PROVINSI", 1.5), ("NIK", 1.5), ("TEMPAT/TGL LAHIR", 2.0),
                       ("JENIS KELAMIN", 1.0), ("GOL. DARAH", 2.0), ("BERLAKU HINGGA", 2.0),
                       ("KEWARGANEGARAAN", 1.0), ("STATUS PERKAWINAN", 1.0), ("RT/RW", 1.0),
                       ("KEL/DESA", 1.5), ("AGAMA", 0.5), ("SEUMUR HIDUP", 1.0)),
    DocumentKind.KK: (("KARTU KELUARGA", 4.0), ("NO. KK", 1.5), ("KEPALA KELUARGA", 2.0),
                      ("STATUS HUBUNGAN DALAM KELUARGA", 2.0), ("NAMA LENGKAP", 0.5),
                      ("PENDIDIKAN", 0.5), ("NAMA ORANG TUA", 1.5), ("KODE POS", 0.5),
                      ("JENIS PEKERJAAN", 1.0), ("NAMA AYAH", 1.0), ("DESA/KELURAHAN", 1.0)),
    # The title is printed on two lines, so its halves count separately.
    DocumentKind.F5: (("PENGAJUAN PEMBAYARAN JAMINAN HARI TUA", 4.0),
                      ("FORMULIR PENGAJUAN PEMBAYARAN", 3.0), ("FORMULIR", 1.0),
                      ("F5", 1.0), ("JAMINAN HARI TUA", 1.5), ("SEBAB KLAIM", 1.5),
                      ("SEBAB PENGAJUAN KLAIM", 2.0), ("DATA TENAGA KERJA", 2.0),
                      ("DATA PEMOHON", 1.5), ("RIWAYAT KEPESERTAAN", 1.5),
                      ("NAMA IBU KANDUNG", 1.0), ("PEMOHON", 1.0), ("NO. KPJ", 1.0),
                      ("NOMOR KPJ", 1.0), ("NAMA PEMILIK REKENING", 1.0)),
    DocumentKind.KARTU_PESERTA: (("KARTU PESERTA", 3.0), ("BPJS", 1.0),
                                 ("KETENAGAKERJAAN", 1.5), ("KPJ", 1.0), ("PESERTA", 0.5),
                                 ("BPJAMSOSTEK", 1.5), ("PESERTA SEJAK", 2.0),
                                 ("KERJA KERAS ADALAH IBADAH", 1.0)),
    DocumentKind.PAKLARING: (("SURAT KETERANGAN", 2.5), ("BERHENTI BEKERJA", 2.5),
                             ("PENGALAMAN KERJA", 2.5), ("YANG BERTANDA TANGAN", 1.5),
                             ("JABATAN", 1.0), ("DEMIKIAN", 1.0), ("HRD", 0.5),
                             ("TERHITUNG", 0.5), ("PARKLARING", 0.5), ("PAKLARING", 1.0)),
    DocumentKind.BUKU_TABUNGAN: (("BUKU TABUNGAN", 2.0), ("TABUNGAN", 2.5),
                                 ("TGL. PEMBUKAAN", 1.5), ("NO. REKENING", 2.5), ("REKENING", 1.0),
                                 ("BANK", 1.0), ("BRI", 0.5), ("BNI", 0.5), ("MANDIRI", 1.0),
                                 ("BCA", 0.5), ("BSI", 0.5), ("SIMPEDES", 1.5), ("TAPLUS", 1.5),
                                 ("BRITAMA", 1.5), ("KANTOR CABANG", 0.5), ("SALDO", 1.0)),
    DocumentKind.NPWP: (("NPWP", 3.0), ("DIREKTORAT JENDERAL PAJAK", 3.0),
                        ("KEMENTERIAN KEUANGAN", 1.5), ("NOMOR POKOK WAJIB PAJAK", 3.0),
                        ("KPP", 1.0), ("TERDAFTAR", 0.5)),
}

MIN_SCORE = 2.5
PHOTO_MAX_WORDS = 3
_FUZZY_CUTOFF = 85.0


def _compact(text: str) -> str:
    return re.sub(r"[^A-Z0-9 ]", "", normalise_text(text))


def keyword_found(keyword: str, lines: list[str], tokens: set[str]) -> bool:
    """Whether `keyword` occurs, allowing OCR noise for longer phrases.

    Short keywords (up to 4 letters: NIK, KPJ, BRI) must match a whole
    token exactly, or they would be found inside any word.
    """
    key = _compact(keyword)
    if len(key.replace(" ", "")) <= 4:
        return key.replace(" ", "") in tokens
    threshold = _FUZZY_CUTOFF if len(key) > 8 else 90.0
    # partial_ratio slides the shorter string along the longer one: a line
    # shorter than the keyword ("NAMA") would match inside it ("NAMA IBU
    # KANDUNG"). Only lines that could hold most of the keyword count (a title
    # split over two lines still matches by its longer half).
    shortest = int(0.6 * len(key))
    return any(fuzz.partial_ratio(key, line) >= threshold
               for line in lines if len(line) >= shortest)


# A family card lists its members' NIKs under its own number; an e-KTP,
# whose labels a KK repeats in its table header, carries exactly one.
# Three or more different 16-digit numbers weigh like the KK's title, for
# a reading that lost the title and the label column.
MEMBER_NUMBERS = 3
MEMBER_TABLE_WEIGHT = 4.0


def _sixteen_digit_numbers(tokens: set[str]) -> int:
    return sum(1 for token in tokens if len(token) == 16 and token.isdigit())


def score_kinds(ocr: OcrResult) -> dict[DocumentKind, float]:
    lines = [_compact(" ".join(w.text for w in line)) for line in ocr.lines()]
    tokens = {token for line in lines for token in line.split()}
    scores = {kind: sum(weight for keyword, weight in keywords
                        if keyword_found(keyword, lines, tokens))
              for kind, keywords in KEYWORDS.items()}
    if _sixteen_digit_numbers(tokens) >= MEMBER_NUMBERS:
        scores[DocumentKind.KK] += MEMBER_TABLE_WEIGHT
    return scores


def classify(ocr: OcrResult) -> tuple[DocumentKind, float]:
    """The document kind of a page and a confidence 0..1.

    Confidence grows with the winner's score and its margin over the
    runner-up. Few or no readable words (confidence >= 0.5) make a photo.
    """
    readable = [w for w in ocr.words if w.confidence >= 0.5 and len(_compact(w.text)) >= 2]
    if len(readable) <= PHOTO_MAX_WORDS:
        return DocumentKind.PHOTO, 0.6 if not readable else 0.4
    scores = score_kinds(ocr)
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    (best, top), (_second, runner) = ranked[0], ranked[1]
    if top < MIN_SCORE:
        return DocumentKind.UNKNOWN, 0.5
    strength = min(1.0, top / 6.0)
    margin = (top - runner) / top
    return best, round(max(0.05, min(1.0, 0.5 * strength + 0.5 * margin)), 3)
