"""The words a participant reads: document names, what to send, how to retake a photo, dates.

Rules carry their own messages (Indonesian and English); this module adds
what a rule message does not say in plain words: the document by the name
the participant knows it, exactly what to send instead, and how to take a
photo that can be read. Every text exists in Indonesian and in English.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from pipeline.types import DocumentKind


@dataclass(frozen=True)
class Words:
    id: str
    en: str


@dataclass(frozen=True)
class DocumentWords:
    """A document as the participant knows it, and what exactly to send of it."""

    name: Words
    send: Words


DOCUMENTS: dict[DocumentKind, DocumentWords] = {
    DocumentKind.KTP: DocumentWords(
        Words("e-KTP (fotokopi KTP)", "ID card (e-KTP)"),
        Words("foto atau scan e-KTP Anda, bagian depan, seluruh kartu terlihat",
              "a photo or scan of the front of your e-KTP, the whole card visible")),
    DocumentKind.KK: DocumentWords(
        Words("Kartu Keluarga (KK)", "family card (Kartu Keluarga, KK)"),
        Words("foto atau scan Kartu Keluarga (KK) yang mencantumkan nama Anda, seluruh lembar",
              "a photo or scan of the whole family card (Kartu Keluarga) that lists you")),
    DocumentKind.F5: DocumentWords(
        Words("Formulir F5 (formulir pengajuan klaim JHT)", "claim form F5"),
        Words("Formulir F5 yang sudah diisi lengkap dan ditandatangani, semua halaman",
              "the JHT claim form F5, filled in and signed, every page")),
    DocumentKind.KARTU_PESERTA: DocumentWords(
        Words("Kartu Peserta BPJS Ketenagakerjaan", "BPJS Ketenagakerjaan membership card"),
        Words("foto atau scan Kartu Peserta BPJS Ketenagakerjaan, nomor KPJ terlihat jelas",
              "a photo or scan of your membership card (Kartu Peserta), the KPJ number readable")),
    DocumentKind.PAKLARING: DocumentWords(
        Words("surat paklaring (surat keterangan berhenti bekerja)",
              "employer's letter (paklaring)"),
        Words("surat keterangan berhenti bekerja (paklaring) dari perusahaan terakhir, "
              "lengkap dengan tanda tangan dan cap",
              "the letter from your last employer saying you stopped working there (paklaring), "
              "signed and stamped")),
    DocumentKind.BUKU_TABUNGAN: DocumentWords(
        Words("buku tabungan", "bank book"),
        Words("foto halaman pertama buku tabungan atas nama Anda sendiri, nama dan nomor "
              "rekening terlihat",
              "a photo of the first page of your savings book, in your own name, with the name "
              "and account number visible")),
    DocumentKind.NPWP: DocumentWords(
        Words("kartu NPWP", "tax card (NPWP)"),
        Words("foto atau scan kartu NPWP Anda", "a photo or scan of your tax card (NPWP)")),
    DocumentKind.PHOTO: DocumentWords(
        Words("pas foto", "passport photo"),
        Words("pas foto terbaru", "a recent passport-size photo")),
}

# What a resignation claim needs (DOMAIN.md), for replies that list everything.
REQUIRED_KINDS: tuple[DocumentKind, ...] = (
    DocumentKind.KTP, DocumentKind.KK, DocumentKind.F5, DocumentKind.KARTU_PESERTA,
    DocumentKind.PAKLARING, DocumentKind.BUKU_TABUNGAN)

# How to retake a photo, per reason the quality check gives (pipeline/imaging).
RETAKE_TIPS: dict[str, Words] = {
    "blurred": Words(
        "Foto buram: pegang ponsel dengan mantap (tumpukan siku di meja), ketuk layar pada "
        "dokumen agar fokus, dan tunggu sampai tulisan terlihat tajam sebelum memotret.",
        "Blurred photo: hold the phone steady (elbows on the table), tap the document on the "
        "screen to focus, and wait until the text looks sharp before taking the picture."),
    "too_dark": Words(
        "Foto terlalu gelap: foto di tempat terang, misalnya dekat jendela pada siang hari, "
        "tanpa bayangan tangan atau ponsel di atas dokumen.",
        "Photo too dark: take it in a bright place, for example near a window in daylight, "
        "with no shadow of your hand or phone on the document."),
    "too_bright": Words(
        "Foto terlalu terang: jangan memotret di bawah sinar matahari langsung atau dengan "
        "lampu kilat (flash).",
        "Photo too bright: do not take it in direct sunlight or with the flash on."),
    "glare": Words(
        "Ada pantulan cahaya: matikan lampu kilat (flash), keluarkan kartu dari plastik "
        "pelindung, dan miringkan sedikit ponsel sampai tidak ada bagian yang mengilap.",
        "Glare: turn the flash off, take the card out of its plastic sleeve, and tilt the "
        "phone slightly until no part of the document shines."),
    "cut_off": Words(
        "Dokumen terpotong: keempat sudut dokumen harus terlihat di dalam foto, dengan sedikit "
        "ruang kosong di sekelilingnya.",
        "Document cut off: all four corners of the document must be inside the photo, with a "
        "little space around it."),
    "too_small": Words(
        "Resolusi terlalu kecil: foto dari dekat sehingga dokumen memenuhi layar, dan kirim "
        "foto aslinya (bukan tangkapan layar atau foto yang diperkecil).",
        "Resolution too low: take the photo close up so the document fills the screen, and "
        "send the original photo (not a screenshot or a reduced copy)."),
    "no_text": Words(
        "Tidak ada tulisan yang terbaca: pastikan yang difoto adalah sisi dokumen yang berisi "
        "tulisan, dan tulisan itu terlihat jelas.",
        "No readable text: make sure you photograph the side of the document with the text "
        "on it, and that the text can be read."),
}
GENERAL_TIP = Words(
    "Letakkan dokumen di permukaan datar berwarna gelap dan foto tegak lurus dari atas; satu "
    "dokumen per foto.",
    "Lay the document flat on a dark surface and take the photo straight from above; one "
    "document per photo.")

# What to send instead of an attachment that cannot be opened, per problem
# (pipeline.types.PageProblem and AttachmentProblem values).
FILE_FIXES: dict[str, Words] = {
    "pdf_encrypted": Words("sebagai PDF tanpa kata sandi, atau sebagai foto (JPG) tiap dokumen",
                           "as a PDF without a password, or as a photo (JPG) of each document"),
    "pdf_corrupt": Words("yang dipindai ulang, sebagai PDF atau foto JPG",
                         "scanned again, as a PDF or a JPG photo"),
    "image_corrupt": Words("yang difoto ulang, sebagai JPG atau PNG",
                           "photographed again, as a JPG or PNG"),
    "unsupported_type": Words("sebagai foto (JPG atau PNG) atau PDF hasil scan, bukan berkas "
                              "Word, Excel atau ZIP",
                              "as a photo (JPG or PNG) or a scanned PDF, not as a Word, Excel or "
                              "ZIP file"),
    "too_many_pages": Words("berisi hanya halaman dokumen persyaratan",
                            "with only the pages of the required documents"),
    "decode_error": Words("sekali lagi; berkas itu rusak dalam pengiriman",
                          "once more; the file was damaged on the way"),
    "empty": Words("sekali lagi; berkas yang kami terima kosong",
                   "once more; the file we received was empty"),
}
SMALLER_FILE = Words("dalam ukuran lebih kecil, misalnya satu foto JPG per dokumen",
                     "as a smaller file, for example one JPG photo per document")

_MONTHS_ID = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
              "September", "Oktober", "November", "Desember")
_MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December")
_DAYS_ID = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
_DAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# Indonesia's three zones by their everyday names.
_ZONE_NAMES = {"Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB", "Asia/Makassar": "WITA",
               "Asia/Jayapura": "WIT"}


def zone_name(zone: str, moment: datetime) -> str:
    return _ZONE_NAMES.get(zone) or moment.astimezone(ZoneInfo(zone)).tzname() or zone


def moment_words(moment: datetime, zone: str, weekday: bool = False) -> Words:
    """'Senin, 15 Juni 2020 pukul 09.00 WIB' and 'Monday 15 June 2020 at 09:00 WIB'."""
    local = moment.astimezone(ZoneInfo(zone))
    name = zone_name(zone, moment)
    day_id = f"{_DAYS_ID[local.weekday()]}, " if weekday else ""
    day_en = f"{_DAYS_EN[local.weekday()]} " if weekday else ""
    return Words(
        f"{day_id}{local.day} {_MONTHS_ID[local.month - 1]} {local.year} "
        f"pukul {local:%H.%M} {name}",
        f"{day_en}{local.day} {_MONTHS_EN[local.month - 1]} {local.year} at {local:%H:%M} {name}")
