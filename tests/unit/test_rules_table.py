"""Every rule against its own table of cases, from one consistent packet of plain values.

`full()` is a complete, consistent resignation claim: every rule is silent
on it. Each case changes one thing (a document field, the record, the
booking, the arrival time) and names the rules that must then speak.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from extractors.nik import make_nik
from pipeline.decide import decide
from pipeline.types import (
    Attachment,
    Booking,
    DecisionStatus,
    Document,
    DocumentKind,
    ExtractedField,
    PageRef,
    Participant,
    Quality,
    Submission,
)
from rules.base import CheckInput
from rules.registry import RULES, evaluate_rules

TODAY = date(2020, 6, 10)
NIK = "6472034703850012"  # woman born 7 March 1985, Samarinda Ulu
HUSBAND = "6472031001800001"
CHILD = "6472035505100003"
KPJ = "12345678901"
OTHER_KPJ = "19876543210"
PERSON = Participant(nik=NIK, kpj=KPJ, nama="SITI AMINAH", tanggal_lahir=date(1985, 3, 7),
                     jenis_kelamin="PEREMPUAN", email="siti@example.org", nama_ibu="HALIMAH",
                     employer="PT BORNEO PRIMA", saldo_jht=12_000_000)
GOOD = Quality(width=1000, height=630, sharpness=300.0, brightness=180.0, glare=0.0, readable=True)
RECEIVED = datetime(2020, 6, 10, 1, tzinfo=UTC)
BOOKING = Booking(code="BPN-200615-0042", branch_id="balikpapan", nik=NIK,
                  appointment_at=datetime(2020, 6, 15, 1, tzinfo=UTC))

Spec = dict[str, Any]


def base_spec() -> Spec:
    return {
        "docs": {
            DocumentKind.KTP: {"nik": NIK, "nama": "SITI AMINAH", "tanggal_lahir": "1985-03-07",
                               "jenis_kelamin": "PEREMPUAN", "berlaku_hingga": "SEUMUR HIDUP"},
            DocumentKind.KK: {"no_kk": "6472031205150003", "anggota_1_nik": HUSBAND,
                              "anggota_1_nama": "BUDI SANTOSO", "anggota_2_nik": NIK,
                              "anggota_2_nama": "SITI AMINAH", "anggota_3_nik": CHILD,
                              "anggota_3_nama": "RINA SANTOSO"},
            DocumentKind.F5: {"nama": "SITI AMINAH", "nik": NIK, "kpj": KPJ,
                              "tanggal_lahir": "1985-03-07", "nama_ibu": "HALIMAH",
                              "sebab_klaim": "mengundurkan_diri", "nama_rekening": "SITI AMINAH"},
            DocumentKind.KARTU_PESERTA: {"kpj": KPJ, "nama": "SITI AMINAH"},
            DocumentKind.PAKLARING: {"employer": "PT BORNEO PRIMA", "nama": "SITI AMINAH",
                                     "mulai_kerja": "2012-01-02", "berhenti_kerja": "2020-03-31"},
            DocumentKind.BUKU_TABUNGAN: {"bank": "BANK MANDIRI", "no_rekening": "1234567890123",
                                         "nama": "SITI AMINAH"},
        },
        "participant": PERSON, "booking": BOOKING, "nik": NIK, "kpj": KPJ,
        "kpj_participant": None, "received": RECEIVED, "branch": "balikpapan",
    }


def build(spec: Spec) -> CheckInput:
    documents = tuple(
        Document(ref=PageRef(attachment_index=i), filename=f"{kind.value}.jpg", kind=kind,
                 kind_confidence=0.95, quality=GOOD,
                 fields=tuple(ExtractedField(
                     name=k, value=v, raw=v,
                     confidence=spec.get("confidence", {}).get((kind, k), 0.9 if v else 0.0))
                     for k, v in fields.items()))
        for i, (kind, fields) in enumerate(spec["docs"].items()))
    sub = Submission(
        branch_id=spec["branch"], message_sha256="ab" * 32, message_id="<m1@example.org>",
        sender="siti@example.org", sender_name="Siti", subject="Klaim JHT BPN-200615-0042",
        received_at=spec["received"], booking_code="BPN-200615-0042",
        attachments=tuple(Attachment(index=i, filename=f"f{i}.jpg", declared_type="image/jpeg",
                                     sniffed_type="image/jpeg", size=10, sha256="00")
                          for i in range(len(documents))))
    return CheckInput(submission=sub, documents=documents, participant=spec["participant"],
                      booking=spec["booking"], nik=spec["nik"], kpj=spec["kpj"],
                      kpj_participant=spec["kpj_participant"], today=TODAY,
                      timezone="Asia/Makassar")


def ids(spec: Spec) -> list[str]:
    return [f.rule_id for f in evaluate_rules(build(spec))]


def field(kind: DocumentKind, name: str, value: str | None) -> Callable[[Spec], None]:
    def change(spec: Spec) -> None:
        spec["docs"][kind][name] = value
    return change


def confidence(kind: DocumentKind, name: str, value: float) -> Callable[[Spec], None]:
    def change(spec: Spec) -> None:
        spec.setdefault("confidence", {})[(kind, name)] = value
    return change


def drop(kind: DocumentKind) -> Callable[[Spec], None]:
    def change(spec: Spec) -> None:
        del spec["docs"][kind]
    return change


def record(**update: Any) -> Callable[[Spec], None]:
    def change(spec: Spec) -> None:
        spec["participant"] = spec["participant"].model_copy(update=update)
    return change


def setting(**update: Any) -> Callable[[Spec], None]:
    def change(spec: Spec) -> None:
        spec.update(update)
    return change


def test_full_packet_is_complete_and_silent() -> None:
    findings = evaluate_rules(build(base_spec()))
    assert [f.rule_id for f in findings] == []
    assert decide(findings).status == DecisionStatus.COMPLETE


def test_every_rule_has_both_messages_and_a_family() -> None:
    for rule in RULES:
        assert rule.message_id and rule.message_en and rule.family and rule.title


K, F, C, P, B, KK, N = (DocumentKind.KTP, DocumentKind.F5, DocumentKind.KARTU_PESERTA,
                        DocumentKind.PAKLARING, DocumentKind.BUKU_TABUNGAN, DocumentKind.KK,
                        DocumentKind.NPWP)
def _npwp(value: str) -> Callable[[Spec], None]:
    def change(spec: Spec) -> None:
        spec["docs"][N] = {"npwp": value, "nama": "SITI AMINAH"}
    return change


OLD_REGION_NIK = make_nik("920914", date(1985, 3, 7), True, 12)  # a 2022-only district
LOST_REGION_NIK = make_nik("647299", date(1985, 3, 7), True, 12)  # a district no edition has

# (case, change, rules that must speak, decision)
CASES: list[tuple[str, list[Callable[[Spec], None]], list[str], str]] = [
    # NIK-003: district code of an older edition: a note only
    ("nik_old_region", [field(K, "nik", OLD_REGION_NIK), field(F, "nik", OLD_REGION_NIK),
                        field(KK, "anggota_2_nik", OLD_REGION_NIK), record(nik=OLD_REGION_NIK),
                        setting(nik=OLD_REGION_NIK,
                                booking=BOOKING.model_copy(update={"nik": OLD_REGION_NIK}))],
     ["NIK-003"], "complete"),
    ("nik_unknown_district", [field(K, "nik", LOST_REGION_NIK), field(F, "nik", LOST_REGION_NIK),
                              field(KK, "anggota_2_nik", LOST_REGION_NIK),
                              record(nik=LOST_REGION_NIK),
                              setting(nik=LOST_REGION_NIK,
                                      booking=BOOKING.model_copy(update={"nik": LOST_REGION_NIK}))],
     ["NIK-003"], "complete"),
    # NIK-004: the KTP prints a birth date or sex its NIK does not encode
    ("ktp_date_not_nik", [field(K, "tanggal_lahir", "1985-03-08")], ["NIK-004"], "needs_review"),
    ("ktp_sex_not_nik", [field(K, "jenis_kelamin", "LAKI-LAKI")], ["NIK-004"], "needs_review"),
    # KPJ-001 / KK-001 / NPWP-001: numbers without their structure
    ("kpj_short_on_card", [field(C, "kpj", "1234567890"), field(F, "kpj", None)], ["KPJ-001"],
     "incomplete"),
    ("kpj_letters_on_f5", [field(F, "kpj", "12345G78901"), field(C, "kpj", None)], ["KPJ-001"],
     "incomplete"),
    ("kpj_short_on_card_f5_settles", [field(C, "kpj", "1234567890")], [], "complete"),
    ("kk_bad_date", [field(KK, "no_kk", "6472031299150003")], ["KK-001"], "incomplete"),
    ("kk_unknown_province", [field(KK, "no_kk", "0072031205150003")], ["KK-001"], "incomplete"),
    ("npwp_14_digits", [_npwp("12345678901234"), record(saldo_jht=60_000_000)], ["NPWP-001"],
     "incomplete"),
    ("npwp_14_digits_not_needed", [_npwp("12345678901234")], [], "complete"),
    ("npwp_15_digits", [_npwp("123456789012345")], [], "complete"),
    ("npwp_is_the_nik", [_npwp(NIK)], [], "complete"),
    ("npwp_is_another_nik", [_npwp(HUSBAND)], ["CON-001"], "needs_review"),
    # CON-001: NIK on F5 or NPWP differs from the KTP
    ("f5_nik_typo", [field(F, "nik", NIK[:-1] + "3")], ["CON-001"], "needs_review"),
    # CON-002: the participant is not on the KK
    ("not_on_kk", [field(KK, "anggota_2_nik", "6472035505900002"),
                   field(KK, "anggota_2_nama", "RINA MARLINA")], ["CON-002"], "needs_review"),
    ("kk_row_one_digit_off", [field(KK, "anggota_2_nik", NIK[:-1] + "8")], [], "complete"),
    ("kk_two_rows_read", [field(KK, "anggota_2_nik", None)], [], "complete"),
    ("kk_own_nik_unreadable_name_matches", [field(KK, "anggota_2_nik", None),
                                            field(KK, "anggota_4_nik", "6472030101120004")],
     [], "complete"),
    ("kk_own_row_other_name", [field(KK, "anggota_2_nik", None),
                               field(KK, "anggota_2_nama", "RINA MARLINA"),
                               field(KK, "anggota_4_nik", "6472030101120004")],
     ["CON-002"], "needs_review"),
    # CON-003 and REC-004: KPJ differs between documents / from the record
    ("kpj_card_vs_f5", [field(F, "kpj", OTHER_KPJ)], ["CON-003", "REC-004"], "needs_review"),
    ("f5_kpj_misread_card_agrees", [field(F, "kpj", "62345678901")], [], "complete"),
    ("f5_nik_unsure_misread", [field(F, "nik", NIK[:-1] + "3"), confidence(F, "nik", 0.52)], [],
     "complete"),
    ("f5_nik_sure_typo", [field(F, "nik", NIK[:-1] + "3"), confidence(F, "nik", 0.95)],
     ["CON-001"], "needs_review"),
    # Unsure, but the applicant section reads the same slip: the form's typo.
    ("f5_nik_unsure_typo_in_both_sections", [field(F, "nik", NIK[:-1] + "3"),
                                             confidence(F, "nik", 0.52),
                                             field(F, "pemohon_nik", NIK[:-1] + "3")],
     ["CON-001"], "needs_review"),
    # The applicant's NIK on the same F5 reads as the KTP's: one digit off is a misread.
    ("f5_nik_misread_applicant_nik_agrees", [field(F, "nik", NIK[:-1] + "3"),
                                             confidence(F, "nik", 0.95),
                                             field(F, "pemohon_nik", NIK)], [], "complete"),
    ("f5_nik_typo_in_both_sections", [field(F, "nik", NIK[:-1] + "3"), confidence(F, "nik", 0.95),
                                      field(F, "pemohon_nik", NIK[:-1] + "3")],
     ["CON-001"], "needs_review"),
    ("f5_nik_two_digits_off_applicant_agrees", [field(F, "nik", NIK[:-2] + "93"),
                                                confidence(F, "nik", 0.95),
                                                field(F, "pemohon_nik", NIK)],
     ["CON-001"], "needs_review"),
    ("f5_heir_applies_participant_nik_typo", [field(F, "nik", NIK[:-1] + "3"),
                                              confidence(F, "nik", 0.95),
                                              field(F, "pemohon_nik", HUSBAND)],
     ["CON-001"], "needs_review"),
    ("label_read_as_holder", [field(F, "nama_rekening", "PEMILIK REKENING")], [], "complete"),
    ("unsure_holder_name", [field(B, "nama", "MMA"), confidence(B, "nama", 0.28)], [],
     "complete"),
    ("kpj_of_someone_else", [field(F, "kpj", OTHER_KPJ), field(C, "kpj", OTHER_KPJ)],
     ["REC-004"], "needs_review"),
    # CON-004: a document names a third person; variants are not mismatches
    ("paklaring_other_name", [field(P, "nama", "RINA MARLINA")], ["CON-004"], "needs_review"),
    ("f5_name_with_title", [field(F, "nama", "HJ. SITI AMINAH, S.PD")], [], "complete"),
    ("card_name_ocr_noise", [field(C, "nama", "S1TI AMlNAH")], [], "complete"),
    # REC-005 / REC-006: birth date, sex in the record
    ("record_birth_date_slip", [record(tanggal_lahir=date(1985, 7, 3))], ["REC-005"],
     "needs_review"),
    ("record_sex_slip", [record(jenis_kelamin="LAKI-LAKI")], ["REC-006"], "needs_review"),
    # REC-007: mother's maiden name
    ("mother_differs", [field(F, "nama_ibu", "SUMARNI")], ["REC-007"], "needs_review"),
    ("mother_single_name", [record(nama_ibu="HALIMAH BINTI AHMAD")], [], "complete"),
    # REC-008: bank account holder
    ("bank_book_spouse", [field(B, "nama", "BUDI SANTOSO")], ["REC-008"], "needs_review"),
    ("f5_account_spouse", [field(F, "nama_rekening", "BUDI SANTOSO")], ["REC-008"],
     "needs_review"),
    # REC-009: paklaring employer
    ("other_employer", [field(P, "employer", "CV MAHAKAM LOGISTIK")], ["REC-009"],
     "needs_review"),
    ("employer_without_pt", [field(P, "employer", "BORNEO PRIMA")], [], "complete"),
    # BOOK-001..004
    ("no_booking", [setting(booking=None)], ["BOOK-001"], "incomplete"),
    ("other_branch", [setting(branch="pontianak")], ["BOOK-002"], "incomplete"),
    ("someone_elses_booking", [setting(booking=BOOKING.model_copy(update={"nik": HUSBAND}))],
     ["BOOK-003"], "needs_review"),
    ("sent_late", [setting(received=BOOKING.appointment_at - timedelta(hours=20))],
     ["BOOK-004"], "incomplete"),
    ("sent_just_in_time", [setting(received=BOOKING.appointment_at - timedelta(days=1))], [],
     "complete"),
    ("sent_after_appointment", [setting(received=BOOKING.appointment_at + timedelta(hours=1))],
     ["BOOK-004"], "incomplete"),
    # ELIG-001: a month after the last working day
    ("resigned_3_weeks_ago", [field(P, "berhenti_kerja", "2020-05-20")], ["ELIG-001"],
     "incomplete"),
    ("resigned_a_month_ago", [field(P, "berhenti_kerja", "2020-05-10")], [], "complete"),
    # ELIG-002: retirement reason under 56
    ("retirement_too_young", [field(F, "sebab_klaim", "usia_pensiun"), drop(P)], ["ELIG-002"],
     "needs_review"),
    # 56 by the record (which then disagrees with the KTP: REC-005, not ELIG-002)
    ("retirement_at_56", [field(F, "sebab_klaim", "usia_pensiun"), drop(P),
                          record(tanggal_lahir=date(1964, 6, 1))], ["REC-005"], "needs_review"),
    # ELIG-003 and per-reason documents: PHK needs no paklaring but an officer's check
    ("termination_without_paklaring", [field(F, "sebab_klaim", "phk"), drop(P)], ["ELIG-003"],
     "needs_review"),
    ("resignation_without_paklaring", [drop(P)], ["DOC-005"], "incomplete"),
    ("unread_reason_counts_as_resignation", [field(F, "sebab_klaim", None), drop(P)],
     ["DOC-005"], "incomplete"),
    # DOC-007: NPWP above Rp50 million
    ("rich_without_npwp", [record(saldo_jht=60_000_000)], ["DOC-007"], "incomplete"),
    # QUAL-002: expired KTP
    ("ktp_expired", [field(K, "berlaku_hingga", "2019-08-17")], ["QUAL-002"], "needs_review"),
    ("ktp_valid_date", [field(K, "berlaku_hingga", "2022-08-17")], [], "complete"),
    # QUAL-003: an identity number read with low confidence
    ("ktp_nik_unsure", [confidence(K, "nik", 0.3)], ["QUAL-003"], "needs_review"),
    ("card_kpj_unsure", [confidence(C, "kpj", 0.45)], ["QUAL-003"], "needs_review"),
    ("card_kpj_sure_enough", [confidence(C, "kpj", 0.5)], [], "complete"),
]




@pytest.mark.parametrize(("changes", "want", "decision"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_rule_table(changes: list[Callable[[Spec], None]], want: list[str], decision: str) -> None:
    spec = base_spec()
    for change in changes:
        change(spec)
    data = build(spec)
    findings = evaluate_rules(data)
    assert sorted({f.rule_id for f in findings}) == sorted(want)
    assert decide(findings).status == DecisionStatus(decision)
    for finding in findings:
        assert finding.evidence, finding.rule_id  # an officer always sees why
        assert NIK not in finding.message_id and KPJ not in finding.message_id


def test_f5_nik_with_impossible_date_is_compared_by_its_raw_digits() -> None:
    spec = base_spec()
    typo = NIK[:6] + "97" + NIK[8:]  # day 97: the reader keeps it as raw text only
    data = build(spec)
    f5 = next(d for d in data.documents if d.kind == DocumentKind.F5)
    fields = tuple(f.model_copy(update={"value": None, "raw": typo}) if f.name == "nik" else f
                   for f in f5.fields)
    documents = tuple(d.model_copy(update={"fields": fields}) if d is f5 else d
                      for d in data.documents)
    findings = evaluate_rules(data.model_copy(update={"documents": documents}))
    assert [f.rule_id for f in findings] == ["CON-001"]
    assert findings[0].evidence["digits_apart"] == "1"


def test_f5_raw_nik_misread_is_forgiven_when_the_applicant_nik_agrees() -> None:
    spec = base_spec()
    spec["docs"][F]["pemohon_nik"] = NIK
    misread = NIK[:2] + "6" + NIK[3:]  # an unknown district: the reader keeps raw text only
    data = build(spec)
    f5 = next(d for d in data.documents if d.kind == DocumentKind.F5)
    fields = tuple(f.model_copy(update={"value": None, "raw": misread, "confidence": 0.0})
                   if f.name == "nik" else f for f in f5.fields)
    documents = tuple(d.model_copy(update={"fields": fields}) if d is f5 else d
                      for d in data.documents)
    assert evaluate_rules(data.model_copy(update={"documents": documents})) == ()


def test_kpj_of_another_participant_names_the_owner_masked() -> None:
    spec = base_spec()
    spec["docs"][F]["kpj"] = OTHER_KPJ
    spec["docs"][C]["kpj"] = OTHER_KPJ
    spec["kpj_participant"] = PERSON.model_copy(update={"nik": HUSBAND, "kpj": OTHER_KPJ})
    finding = next(f for f in evaluate_rules(build(spec)) if f.rule_id == "REC-004")
    assert finding.evidence["kpj_owner_nik"] == "6472********0001"
    assert OTHER_KPJ not in finding.message_id


def test_late_message_names_the_appointment_in_branch_time() -> None:
    spec = base_spec()
    spec["received"] = BOOKING.appointment_at - timedelta(hours=3)
    finding = next(f for f in evaluate_rules(build(spec)) if f.rule_id == "BOOK-004")
    assert "15-06-2020 09:00" in finding.message_id  # 01:00 UTC is 09:00 WITA


def test_no_booking_not_asked_of_a_rejected_message() -> None:
    spec = base_spec()
    spec.update(participant=None, booking=None)
    assert ids(spec) == ["REC-001"]


def test_docs_list_every_rule() -> None:
    from pathlib import Path
    text = (Path(__file__).parents[2] / "docs" / "rules.md").read_text(encoding="utf-8")
    for rule in RULES:
        assert f"| {rule.id} | {rule.family} | {rule.severity.value} | {rule.action.value} |" \
            in text, rule.id


def test_packet_nik_prefers_a_fully_valid_nik() -> None:
    from rules.packet import packet_nik
    from rules.regions import load_regions
    spec = base_spec()
    spec["docs"][K]["nik"] = LOST_REGION_NIK
    documents = build(spec).documents
    assert packet_nik(documents, load_regions(), TODAY) == NIK  # the F5's, fully valid
    del spec["docs"][F]
    assert packet_nik(build(spec).documents, load_regions(), TODAY) == LOST_REGION_NIK
