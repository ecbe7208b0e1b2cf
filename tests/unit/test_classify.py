import pytest

from extractors.classify import classify, score_kinds
from pipeline.types import Box, DocumentKind, OcrResult, PageRef, Word


def ocr_of(text: str, confidence: float = 0.9) -> OcrResult:
    words = []
    for line_no, line in enumerate(text.strip().splitlines()):
        x = 10
        for token in line.split():
            words.append(Word(text=token, confidence=confidence,
                              box=Box(x=x, y=20 + 30 * line_no, w=12 * len(token), h=20),
                              line=line_no))
            x += 12 * len(token) + 10
    return OcrResult(ref=PageRef(attachment_index=0), engine="test", engine_version="0",
                     width=1000, height=800, words=tuple(words))


KTP = """PROVINSI KALIMANTAN TIMUR
KOTA SAMARINDA
NIK : 6472035708850003
Nama : SITI AMINAH
Tempat/Tgl Lahir : SAMARINDA, 17-08-1985
Jenis Kelamin : PEREMPUAN Gol. Darah : O
Kel/Desa : SIDODADI
Berlaku Hingga : SEUMUR HIDUP"""

# OCR noise: letters dropped, swapped, confused.
KTP_NOISY = """PROV1NSI KALIMANTAN TIMUR
N1K : 647203570885OOO3
Narna : SITI AMINAH
Ternpat/Tgl Lahlr : SAMARINDA, 17-08-1985
Jen1s Kelamin : PEREMPUAN Gol Darah : O
Berlaku Hinqga : SEUMUR HIDUP"""

CASES = {
    "ktp": (KTP, DocumentKind.KTP),
    "ktp_noisy": (KTP_NOISY, DocumentKind.KTP),
    "kk": ("""KARTU KELUARGA
No. 6472031203190007
Nama Kepala Keluarga : BUDI SANTOSO
Nama Lengkap NIK Jenis Kelamin Pendidikan
Status Hubungan Dalam Keluarga Nama Orang Tua""", DocumentKind.KK),
    "f5": ("""FORMULIR PENGAJUAN PEMBAYARAN JAMINAN HARI TUA
F5
Data Pemohon Nama Ibu Kandung
No. KPJ 12345678901""", DocumentKind.F5),
    "kartu_peserta": ("""BPJS KETENAGAKERJAAN
KARTU PESERTA
No. KPJ 12345678901
BUDI SANTOSO""", DocumentKind.KARTU_PESERTA),
    "paklaring": ("""PT MAJU JAYA
SURAT KETERANGAN BERHENTI BEKERJA
Yang bertanda tangan di bawah ini menerangkan bahwa
Jabatan Operator Demikian surat ini""", DocumentKind.PAKLARING),
    "buku_tabungan": ("""BANK RAKYAT INDONESIA
BUKU TABUNGAN BRITAMA
No. Rekening 0123-01-000123-50-1
Nama BUDI SANTOSO""", DocumentKind.BUKU_TABUNGAN),
    "npwp": ("""KEMENTERIAN KEUANGAN REPUBLIK INDONESIA
DIREKTORAT JENDERAL PAJAK
NPWP : 12.345.678.9-012.000
BUDI SANTOSO""", DocumentKind.NPWP),
    "letter": ("""Dengan hormat kami sampaikan bahwa rapat
akan dilaksanakan pada hari Senin di ruang pertemuan
atas perhatiannya diucapkan terima kasih""", DocumentKind.UNKNOWN),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_classify_kinds(case: str) -> None:
    text, expected = CASES[case]
    kind, confidence = classify(ocr_of(text))
    assert kind is expected
    assert 0.0 <= confidence <= 1.0


def test_no_text_is_a_photo() -> None:
    assert classify(ocr_of(""))[0] is DocumentKind.PHOTO
    # A few low-confidence specks read off a face are still no text.
    assert classify(ocr_of("a ~ ' il", confidence=0.2))[0] is DocumentKind.PHOTO


def test_clear_ktp_is_more_confident_than_noisy_one() -> None:
    assert classify(ocr_of(KTP))[1] >= classify(ocr_of(KTP_NOISY))[1]


# The F5's title is printed on two lines; each half must still count.
F5_SPLIT_TITLE = """BPJS Ketenagakerjaan F5
FORMULIR PENGAJUAN PEMBAYARAN
JAMINAN HARI TUA (JHT)
A. DATA PEMOHON
NIK Pemohon
B. DATA TENAGA KERJA
NIK
Nomor KPJ
Tempat/Tgl. Lahir
Nama Ibu Kandung
D. SEBAB PENGAJUAN KLAIM
E. PEMBAYARAN
Nomor Rekening"""

KARTU_PESERTA_CARD = """BPJS Ketenagakerjaan
Kerja Keras adalah Ibadah
KARTU PESERTA
17 5000 80636
Nama : BUDI SANTOSO
Tanggal Lahir : 17-08-1985
Perusahaan : PT BORNEO JAYA
Peserta sejak : 01-02-2017"""


def test_f5_with_split_title_and_identity_labels_is_not_a_ktp() -> None:
    assert classify(ocr_of(F5_SPLIT_TITLE))[0] is DocumentKind.F5


def test_membership_card_with_birth_date_is_not_a_ktp() -> None:
    assert classify(ocr_of(KARTU_PESERTA_CARD))[0] is DocumentKind.KARTU_PESERTA


def test_a_short_line_does_not_match_inside_a_longer_keyword() -> None:
    from extractors.classify import keyword_found

    lines = ["NAMA", "TEMPAT TGL LAHIR", "JENIS KELAMIN"]
    tokens = {t for line in lines for t in line.split()}
    assert not keyword_found("NAMA IBU KANDUNG", lines, tokens)
    assert keyword_found("NAMA IBU KANDUNG", ["NAMA IBU KANDUNG SITI"], tokens)
    assert keyword_found("JENIS KELAMIN", ["JENIS KELAMlN"], tokens)


# A phone photo of a KK whose whole-page reading lost the title and the
# label column: what remains overlaps an e-KTP's labels.
KK_WITHOUT_TITLE = """No. 6207061708199633
: AGUS SANTOSO Kecamatan : SERUYAN HILIR TIMUR
1 JL. AHMAD YANI NO. 38 Kabupaten/Kota : SERUYAN
1 0261001 Kode Pos 1 75370
: BANGUN HARJA Provinsi : KALIMANTAN TENGAH
NIK Jenis Kelamin Tempat Lahir Tanggal Lahir Agama Pendidikan Jenis Pekerjaan
6207061210430006 LAKI-LAKI SERUYAN 12-10-1943 KATHOLIK SLTA/SEDERAJAT WIRASWASTA
6207067003460004 PEREMPUAN SERUYAN 30-03-1946 KATHOLIK SLTA/SEDERAJAT
5303072102680002 LAKI-LAKI TIMOR TENGAH UTARA 21-02-1968 KATHOLIK
No Status Perkawinan Status Hubungan Dalam Keluarga Kewarganegaraan
SERUYAN, 17-08-2019"""


def test_a_kk_reading_without_its_title_is_known_by_its_member_numbers() -> None:
    assert classify(ocr_of(KK_WITHOUT_TITLE))[0] is DocumentKind.KK
    # The same reading with a single number left is no longer a family card's.
    lines = [line for line in KK_WITHOUT_TITLE.splitlines()
             if not line.startswith(("6207067", "5303"))]
    scores = score_kinds(ocr_of("\n".join(lines)))
    full = score_kinds(ocr_of(KK_WITHOUT_TITLE))
    assert full[DocumentKind.KK] - scores[DocumentKind.KK] == 4.0
