"""The Indonesian words the desk shows for codes stored in English."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from pipeline.replies.compose import format_date_id
from pipeline.replies.wording import zone_name
from pipeline.resubmission import MERGE_NOTE_ID, MERGE_NOTE_TITLE_ID
from pipeline.types import Participant
from rules.registry import RULES

DECISION_LABELS = {
    "complete": "Lengkap",
    "incomplete": "Belum lengkap",
    "needs_review": "Perlu diperiksa",
    "rejected": "Ditolak",
}

# The decisions an officer filters the queue on, in the order shown.
QUEUE_DECISIONS = ("needs_review", "incomplete", "rejected", "complete")

KIND_LABELS = {
    "ktp": "KTP", "kk": "Kartu Keluarga", "f5": "Formulir F5 (JHT)",
    "kartu_peserta": "Kartu Peserta", "paklaring": "Surat keterangan berhenti kerja",
    "buku_tabungan": "Buku tabungan", "npwp": "NPWP", "photo": "Foto lain",
    "unknown": "Tidak dikenali",
}

FIELD_LABELS = {
    "nik": "NIK", "nama": "Nama", "kpj": "Nomor KPJ", "tempat_lahir": "Tempat lahir",
    "tanggal_lahir": "Tanggal lahir", "jenis_kelamin": "Jenis kelamin",
    "gol_darah": "Golongan darah", "alamat": "Alamat", "provinsi": "Provinsi",
    "kabupaten_kota": "Kabupaten/kota", "nama_ibu": "Nama ibu kandung", "email": "Email",
    "employer": "Perusahaan", "bank": "Bank", "nama_rekening": "Nama pemilik rekening",
    "nomor_rekening": "Nomor rekening", "npwp": "NPWP", "sebab_klaim": "Sebab klaim",
    "pemohon_nik": "NIK pemohon", "pemohon_nama": "Nama pemohon", "no_kk": "Nomor KK",
    "tanggal_berhenti": "Tanggal berhenti kerja", "berhenti_kerja": "Berhenti kerja",
    "peserta_sejak": "Peserta sejak",
}

EVIDENCE_LABELS = {
    "filename": "Lampiran", "page": "Halaman", "kind": "Jenis dokumen", "kinds": "Jenis dokumen",
    "nik": "NIK", "nik_read": "NIK terbaca", "nik_record": "NIK pada data peserta",
    "ktp_nama": "Nama pada KTP", "record_nama": "Nama pada data peserta", "name": "Nama",
    "score": "Kemiripan nama (0-100)", "reason": "Alasan", "reasons": "Alasan",
    "problem": "Masalah", "detail": "Rincian", "raw": "Teks terbaca", "sender": "Pengirim",
    "attachment": "Lampiran", "where": "Keterangan", "sharpness": "Ketajaman",
    "submitted": "Email diterima", "sebab_klaim": "Sebab klaim",
    "peserta_sejak_record": "Peserta sejak (data peserta)",
    "sepuluh_tahun": "Kepesertaan genap 10 tahun",
    "berhenti_kerja_record": "Berhenti kerja (data peserta)",
}

ACTION_LABELS = {
    "approve": "Disetujui", "correct": "Koreksi data", "request_documents": "Minta dokumen",
    "reject": "Ditolak", "user_add": "Pengguna ditambahkan", "user_disable": "Pengguna dinonaktifkan",
    "user_enable": "Pengguna diaktifkan", "sign_in": "Masuk",
}

# Each finding's short Indonesian name, for the dashboard, the queue's rule
# filter and the submission page; a rule retired since is shown by its id.
RULE_TITLES: dict[str, str] = {
    **{rule.id: rule.title_id for rule in RULES},
    MERGE_NOTE_ID: MERGE_NOTE_TITLE_ID,
}


def rule_title(rule_id: str) -> str:
    return RULE_TITLES.get(rule_id, rule_id)


# Which participant-record value a field of a document is compared with.
RECORD_FIELDS = {
    "nik": "nik", "pemohon_nik": "nik", "nama": "nama", "pemohon_nama": "nama",
    "nama_rekening": "nama", "kpj": "kpj", "tanggal_lahir": "tanggal_lahir",
    "jenis_kelamin": "jenis_kelamin", "nama_ibu": "nama_ibu", "email": "email",
    "employer": "employer", "peserta_sejak": "peserta_sejak", "berhenti_kerja": "berhenti_kerja",
}


def record_value(participant: Participant | None, field: str) -> str | None:
    """The participant record's value for a document field, in the field's format."""
    if participant is None or field not in RECORD_FIELDS:
        return None
    value = getattr(participant, RECORD_FIELDS[field])
    if isinstance(value, date):
        return value.isoformat()
    return None if value is None else str(value)


def same_value(read: str | None, record: str | None) -> bool | None:
    """Whether a read value agrees with the record (None: nothing to compare)."""
    if read is None or record is None:
        return None
    norm = lambda text: " ".join(text.upper().replace("-", " ").split())  # noqa: E731
    return norm(read) == norm(record)


def local_time(moment: datetime | None, zone: str) -> str:
    """'15 Juni 2020 pukul 09.00 WITA': with the zone's name, since one list may mix zones."""
    if moment is None:
        return "-"
    return f"{format_date_id(moment, zone)} {zone_name(zone, moment)}"


def local_date(moment: datetime | None, zone: str) -> str:
    if moment is None:
        return "-"
    return moment.astimezone(ZoneInfo(zone)).strftime("%d-%m-%Y")
