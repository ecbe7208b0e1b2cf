"""The synthetic world: structure, determinism, parseable mail, truth inside images.

One world with one packet per scenario is generated for the module; each
scenario's structure is checked by its own test (parametrised by name).
"""

from __future__ import annotations

import email
import email.policy
import email.utils
import hashlib
import random
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage

import cv2
import numpy as np
import pypdfium2 as pdfium
import pytest

from extractors.nik import nik_problems
from fixtures.bookings import BOOKING_CODE, make_booking
from fixtures.capture import flatbed_scan, images_to_pdf, phone_photo
from fixtures.pdf_crypt import encrypted_images_pdf
from fixtures.people import generate_profiles
from fixtures.render import renderers
from fixtures.scenarios import MISSING_RULE, NPWP_THRESHOLD, REQUIRED_RESIGN, SCENARIOS
from fixtures.world import DEMO_BRANCHES, GeneratedMessage, World, generate_world
from pipeline.intake import build_submission
from pipeline.settings import LimitSettings
from pipeline.types import AttachmentProblem
from rules.regions import load_regions

TODAY = date(2020, 6, 15)


SEED = 11


@pytest.fixture(scope="module")
def world() -> World:
    return generate_world(SEED, len(SCENARIOS))


def test_every_generated_nik_is_structurally_valid() -> None:
    profiles = generate_profiles(random.Random(5), 300, TODAY)
    regions = load_regions()
    assert len({p.nik for p in profiles}) == 300
    for p in profiles:
        assert nik_problems(p.nik, regions, TODAY) == [], p.nik
        assert len(p.kpj) == 11 and p.kpj.isdigit()
        assert len(p.no_kk) == 16 and p.no_kk.isdigit()
        assert p.npwp is None or (len(p.npwp) == 15 and p.npwp.isdigit())
        day = int(p.nik[6:8])
        assert (day > 40) == (p.jenis_kelamin == "PEREMPUAN")
    assert any(p.saldo_jht > 50_000_000 for p in profiles)
    assert all(p.npwp for p in profiles if p.saldo_jht > 50_000_000)
    assert sum(p.nik[:2] in ("61", "62", "63", "64", "65") for p in profiles) > 200


def test_membership_start_follows_the_employment_history() -> None:
    """Membership began with the employment the documents show, after turning 18."""
    for p in generate_profiles(random.Random(5), 300, TODAY):
        assert p.peserta_sejak == p.mulai_kerja  # the Kartu Peserta's "Peserta sejak"
        assert p.kpj[:2] == f"{p.peserta_sejak.year % 100:02d}"
        assert p.peserta_sejak >= p.tanggal_lahir.replace(year=p.tanggal_lahir.year + 18)
        assert p.peserta_sejak < p.berhenti_kerja < TODAY
        record = p.to_participant()
        assert (record.peserta_sejak, record.berhenti_kerja) == (p.mulai_kerja, p.berhenti_kerja)


def test_booking_code_format() -> None:
    profile = generate_profiles(random.Random(1), 1, TODAY)[0]
    booking = make_booking(random.Random(2), profile, "pontianak", "PNK",
                           datetime(2020, 6, 12, 9, 30))
    assert BOOKING_CODE.match(booking.code)
    assert booking.code.startswith("PNK-200612-")


@pytest.mark.parametrize("kind", sorted(renderers()))
def test_truth_boxes_lie_inside_images(kind: str) -> None:
    for i, profile in enumerate(generate_profiles(random.Random(9), 4, TODAY)):
        doc = renderers()[kind](profile, random.Random(i))
        h, w = doc.image.shape[:2]
        assert doc.kind == kind and doc.image.dtype == np.uint8 and doc.image.ndim == 3
        assert doc.truth
        for name, field in doc.truth.items():
            x, y, bw, bh = field.box
            assert 0 <= x and 0 <= y and x + bw <= w and y + bh <= h, (name, field)
            assert bw > 0 and bh > 0 and field.value


def test_capture_keeps_content_and_is_deterministic() -> None:
    doc = renderers()["ktp"](generate_profiles(random.Random(3), 1, TODAY)[0], random.Random(0))
    for capture in (flatbed_scan, phone_photo):
        a, b = capture(doc.image, random.Random(4)), capture(doc.image, random.Random(4))
        assert np.array_equal(a, b) and a.dtype == np.uint8
        assert a.shape[0] >= doc.image.shape[0] * 0.9


def test_pdf_is_deterministic_and_renders() -> None:
    image = np.full((300, 200, 3), 230, np.uint8)
    data = images_to_pdf([image, image], 200)
    assert data == images_to_pdf([image, image], 200)
    assert len(pdfium.PdfDocument(data)) == 2


def test_encrypted_pdf_needs_its_password() -> None:
    image = np.full((300, 200, 3), 230, np.uint8)
    image[100:150, 50:150] = (0, 0, 255)
    data = encrypted_images_pdf([image], 72, "123456", "owner", b"id")
    with pytest.raises(pdfium.PdfiumError):
        pdfium.PdfDocument(data)
    page = pdfium.PdfDocument(data, password="123456")[0].render(scale=1).to_numpy()
    assert page[120, 100].tolist()[2] > 200 and page[120, 100].tolist()[0] < 60


def test_same_seed_same_bytes(world: World) -> None:
    again = generate_world(SEED, len(SCENARIOS))
    assert [m.filename for m in again.messages] == [m.filename for m in world.messages]
    for first, second in zip(world.messages, again.messages, strict=True):
        assert hashlib.sha256(first.eml).digest() == hashlib.sha256(second.eml).digest(), \
            first.filename
        assert first == second
    assert again.bookings == world.bookings and again.profiles == world.profiles


def _parse(m: GeneratedMessage) -> EmailMessage:
    msg = email.message_from_bytes(m.eml, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def _files(msg: EmailMessage) -> dict[str, bytes]:
    """Every file in the message, inline images and forwarded messages' files included."""
    found: dict[str, bytes] = {}
    for part in msg.walk():
        if part.get_content_type() == "message/rfc822":
            continue
        name = part.get_filename()
        if name and not part.is_multipart():
            found[name] = part.get_payload(decode=True)
    return found


def _kinds(m: GeneratedMessage) -> list[str]:
    return [str(d["kind"]) for d in m.documents]


def _doc(m: GeneratedMessage, kind: str) -> dict[str, object]:
    return next(d for d in m.documents if d["kind"] == kind)


def _value(m: GeneratedMessage, kind: str, field: str) -> str:
    fields = _doc(m, kind)["fields"]
    assert isinstance(fields, dict)
    return str(fields[field]["value"])


def _one(world: World, scenario: str) -> GeneratedMessage:
    return next(m for m in world.messages if m.scenario == scenario)


def test_every_message_parses_and_names_its_files(world: World) -> None:
    assert {m.scenario for m in world.messages} == set(SCENARIOS)
    branch_ids = {b.id for b in DEMO_BRANCHES}
    codes = {b.code for b in world.bookings}
    balance = {p.nik: p.saldo_jht for p in world.profiles}
    for m in world.messages:
        msg = _parse(m)
        assert not msg.defects, (m.filename, msg.defects)
        assert m.branch_id in branch_ids and m.eml.count(b"\r\n") > 5
        assert b"\n" not in m.eml.replace(b"\r\n", b"")  # CRLF only
        assert str(msg["Message-ID"]) == m.message_id
        spec = SCENARIOS[m.scenario]
        expected = spec.expected_findings
        if m.scenario == "encrypted_pdf" and balance[m.profile_nik] > NPWP_THRESHOLD:
            # A balance that needs the NPWP: it is locked in the PDF too.
            expected = (*expected, "DOC-007")
        if not (m.scenario == "resubmission_completes" and m.follows is None):
            assert (m.expected_decision, m.expected_findings, m.rules_pending) == (
                spec.expected_decision, expected, spec.rules_pending)
        if m.scenario not in ("stranger", "resubmission_completes"):
            body = msg.get_body(("plain", "html"))
            assert body is not None and any(code in body.get_content() for code in codes)
        files = _files(msg)
        for truth in m.documents:
            assert truth["attachment"] in files, (m.filename, truth["attachment"])
        for name, data in files.items():
            if name.lower().endswith((".jpg", ".jpeg")):
                assert cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR) is not None
            elif name.endswith(".pdf"):
                assert data.startswith(b"%PDF-")


def test_truth_boxes_lie_inside_their_pages(world: World) -> None:
    for m in world.messages:
        for truth in m.documents:
            size = truth["rendered_size"]
            fields = truth["fields"]
            assert isinstance(fields, dict)
            if size is None:
                assert fields == {}
                continue
            w, h = size  # type: ignore[misc]
            for name, item in fields.items():
                x, y, bw, bh = item["box"]
                assert 0 <= x and 0 <= y and x + bw <= w and y + bh <= h, (m.filename, name)
            pw, ph = truth["page_size"]  # type: ignore[misc]
            x, y, bw, bh = truth["box"]  # type: ignore[misc]
            assert 0 <= x and 0 <= y and x + bw <= pw and y + bh <= ph and bw > 0 and bh > 0
            share = truth["visible_share"]
            assert isinstance(share, float) and 0 < share <= 1.0


def test_world_niks_are_valid_and_records_exclude_outsiders(world: World) -> None:
    regions = load_regions()
    records = {p.nik: p for p in world.profiles}
    for p in world.profiles:
        assert nik_problems(p.nik, regions, world.today) == [], p.nik
    for m in world.messages:
        outsider = m.scenario in ("not_participant", "stranger")
        assert (m.profile_nik in records) != outsider, m.filename
    booked = {b.nik for b in world.bookings}
    assert all(p.nik in booked for p in world.profiles)
    assert "" == _one(world, "stranger").profile_nik


def _required_present(m: GeneratedMessage, world: World, missing: str | None = None) -> None:
    kinds = _kinds(m)
    for kind in REQUIRED_RESIGN:
        assert (kind in kinds) == (kind != missing), (m.filename, kind)
    record = {p.nik: p for p in world.profiles}.get(m.profile_nik)
    if record is not None and record.saldo_jht > NPWP_THRESHOLD:
        assert "npwp" in kinds


def _check_missing(world: World, scenario: str) -> None:
    kind = scenario.removeprefix("missing_")
    m = _one(world, scenario)
    _required_present(m, world, kind)
    assert m.expected_findings == (MISSING_RULE[kind],)


def _check_complete(world: World, scenario: str) -> None:
    for m in (x for x in world.messages if x.scenario == scenario):
        _required_present(m, world)


def _check_html_only(world: World, scenario: str) -> None:
    m = _one(world, scenario)
    _check_complete(world, scenario)
    types = [p.get_content_type() for p in _parse(m).walk()]
    assert "text/html" in types and "text/plain" not in types


def _check_forwarded(world: World, scenario: str) -> None:
    m = _one(world, scenario)
    _check_complete(world, scenario)
    msg = _parse(m)
    assert str(msg["Subject"]).startswith("Fwd: ")
    forwarded = [p for p in msg.walk() if p.get_content_type() == "message/rfc822"]
    assert len(forwarded) == 1
    inner = forwarded[0].get_payload()[0]
    assert _record_email(world, m) in str(inner["To"])
    inner_files = {p.get_filename() for p in inner.walk() if p.get_filename()}
    assert {str(d["attachment"]) for d in m.documents} <= inner_files
    # The pipeline's parser finds every file inside the forwarded message.
    sub = build_submission(m.branch_id, m.eml, datetime(2020, 6, 15, tzinfo=UTC),
                           LimitSettings())
    nested = [a for a in sub.attachments if a.part_path.count(".") >= 1 and
              a.sniffed_type.startswith(("image/", "application/pdf"))]
    assert len(nested) >= 1 and {a.filename for a in nested} >= inner_files - {None}


def _record_email(world: World, m: GeneratedMessage) -> str:
    return {p.nik: p for p in world.profiles}[m.profile_nik].email


def _check_duplicate(world: World, scenario: str) -> None:
    first, second = (m for m in world.messages if m.scenario == scenario)
    assert first.eml == second.eml and first.message_id == second.message_id
    assert second.duplicate_of == first.filename and first.duplicate_of is None
    assert first.filename != second.filename
    _required_present(first, world)


def _check_resubmission(world: World, scenario: str) -> None:
    first, follow = (m for m in world.messages if m.scenario == scenario)
    assert (first.expected_decision, first.expected_findings, first.rules_pending) == (
        "incomplete", ("DOC-002",), False)
    assert (follow.expected_decision, follow.expected_findings, follow.rules_pending,
            follow.follows) == ("complete", ("RESUB-001",), False, first.filename)
    _required_present(first, world, "kk")
    assert _kinds(follow) == ["kk"]
    reply = _parse(follow)
    assert str(reply["In-Reply-To"]) == first.message_id
    assert str(reply["Subject"]).startswith("Re: ")
    assert reply["From"].addresses[0].addr_spec == _parse(first)["From"].addresses[0].addr_spec


def _check_encrypted(world: World, scenario: str) -> None:
    m = _one(world, scenario)
    files = _files(_parse(m))
    assert len(files) == 1
    (data,) = files.values()
    with pytest.raises(pdfium.PdfiumError):
        pdfium.PdfDocument(data)
    _required_present(m, world)


def _check_docx(world: World, scenario: str) -> None:
    m = _one(world, scenario)
    _required_present(m, world)
    assert _doc(m, "f5")["capture"] == "docx"
    data = _files(_parse(m))[str(_doc(m, "f5")["attachment"])]
    assert data.startswith(b"PK") and b"word/document.xml" in data
    assert all(d["capture"] != "docx" for d in m.documents if d["kind"] != "f5")


def _check_oversized(world: World, scenario: str) -> None:
    m = _one(world, scenario)
    _required_present(m, world)
    assert len(m.eml) < 40_000_000
    big = [name for name, data in _files(_parse(m)).items() if len(data) > 25_000_000]
    assert len(big) == 1 and big[0].endswith(".tif")
    sub = build_submission(m.branch_id, m.eml, datetime(2020, 6, 15, tzinfo=UTC),
                           LimitSettings())
    too_large = [a for a in sub.attachments if a.problem is AttachmentProblem.TOO_LARGE]
    assert [a.filename for a in too_large] == big


def _check_stranger(world: World, scenario: str) -> None:
    m = _one(world, scenario)
    sender = _parse(m)["From"].addresses[0].addr_spec
    assert sender not in {p.email for p in world.profiles}
    assert _kinds(m) == ["photo"] and len(_files(_parse(m))) == 1


def _check_unreadable(world: World, scenario: str) -> None:
    m = _one(world, scenario)
    _required_present(m, world)
    ktp = _doc(m, "ktp")
    assert ktp["unreadable"] is True
    assert str(ktp["capture"]).split("+")[-1] in ("motion_blur", "defocus", "low_resolution")
    assert all("unreadable" not in d for d in m.documents if d["kind"] != "ktp")


def _check_npwp_missing(world: World, scenario: str) -> None:
    m = _one(world, scenario)
    record = {p.nik: p for p in world.profiles}[m.profile_nik]
    assert record.saldo_jht > NPWP_THRESHOLD and "npwp" not in _kinds(m)
    for kind in REQUIRED_RESIGN:
        assert kind in _kinds(m)


def _check_rotated(world: World, scenario: str) -> None:
    m = _one(world, scenario)
    _required_present(m, world)
    assert all(d["rotation"] in (90, 180, 270) for d in m.documents)


def _check_several(world: World, scenario: str) -> None:
    m = _one(world, scenario)
    _required_present(m, world)
    shared = [d for d in m.documents if d.get("shared_page")]
    assert {d["kind"] for d in shared} >= {"ktp", "kartu_peserta"}
    assert len({d["attachment"] for d in shared}) == 1
    boxes = sorted(d["box"] for d in shared)  # type: ignore[type-var]
    for a, b in zip(boxes, boxes[1:]):
        assert a[1] + a[3] <= b[1] or b[1] + b[3] <= a[1]  # no two cards overlap


def _check_bank_name(world: World, scenario: str) -> None:
    m = _one(world, scenario)
    record = {p.nik: p for p in world.profiles}[m.profile_nik]
    assert _value(m, "buku_tabungan", "nama") != record.nama
    assert _value(m, "ktp", "nama") == record.nama


def _check_nik_typo(world: World, scenario: str) -> None:
    m = _one(world, scenario)
    typed, real = _value(m, "f5", "nik"), _value(m, "ktp", "nik")
    assert real == m.profile_nik and len(typed) == 16
    assert sum(a != b for a, b in zip(typed, real)) == 1


def _check_kpj(world: World, scenario: str) -> None:
    m = _one(world, scenario)
    record = {p.nik: p for p in world.profiles}[m.profile_nik]
    kpj = _value(m, "kartu_peserta", "kpj").replace(" ", "")  # printed in groups
    assert kpj != record.kpj and _value(m, "f5", "kpj") == kpj
    assert kpj in {p.kpj for p in world.profiles}


def _check_birth_date(world: World, scenario: str) -> None:
    m = _one(world, scenario)
    record = {p.nik: p for p in world.profiles}[m.profile_nik]
    printed = _value(m, "ktp", "tanggal_lahir")
    assert printed != f"{record.tanggal_lahir:%d-%m-%Y}"


def _check_recent_resignation(world: World, scenario: str) -> None:
    m = _one(world, scenario)
    record = {p.nik: p for p in world.profiles}[m.profile_nik]
    sent = email.utils.parsedate_to_datetime(str(_parse(m)["Date"])).date()
    assert 8 <= (sent - record.berhenti_kerja).days <= 25
    assert "paklaring" in _kinds(m)


def _check_late(world: World, scenario: str) -> None:
    m = _one(world, scenario)
    sent = email.utils.parsedate_to_datetime(str(_parse(m)["Date"]))
    booking = next(b for b in world.bookings if b.nik == m.profile_nik)
    assert timedelta(0) < booking.appointment_at - sent < timedelta(days=1)
    others = [b for b in world.bookings if b.nik != m.profile_nik]
    assert all(b.appointment_at.date() > world.today - timedelta(days=4) for b in others)


def _check_no_attachments(world: World, scenario: str) -> None:
    m = _one(world, scenario)
    assert _files(_parse(m)) == {} and m.documents == ()


def _check_outsider(world: World, scenario: str) -> None:
    m = _one(world, scenario)
    _required_present(m, world)
    assert m.profile_nik not in {p.nik for p in world.profiles}
    assert _value(m, "ktp", "nik") == m.profile_nik


def _check_name_mismatch(world: World, scenario: str) -> None:
    m = _one(world, scenario)
    record = {p.nik: p for p in world.profiles}[m.profile_nik]
    assert _value(m, "ktp", "nik") == m.profile_nik
    assert _value(m, "ktp", "nama").split()[0] != record.nama.split()[0]


CHECKS: dict[str, Callable[[World, str], None]] = {
    **{f"missing_{k}": _check_missing for k in REQUIRED_RESIGN},
    "complete": _check_complete, "html_only_body": _check_html_only,
    "forwarded_packet": _check_forwarded, "duplicate_delivery": _check_duplicate,
    "resubmission_completes": _check_resubmission, "encrypted_pdf": _check_encrypted,
    "docx_attachment": _check_docx, "oversized_attachment": _check_oversized,
    "stranger": _check_stranger, "unreadable_ktp": _check_unreadable,
    "npwp_missing_high_balance": _check_npwp_missing, "rotated_pages": _check_rotated,
    "several_per_page": _check_several, "name_differs_bank_book": _check_bank_name,
    "nik_typo_on_f5": _check_nik_typo, "kpj_of_someone_else": _check_kpj,
    "birth_date_differs": _check_birth_date,
    "resigned_less_than_month_ago": _check_recent_resignation, "sent_late": _check_late,
    "no_attachments": _check_no_attachments, "not_participant": _check_outsider,
    "name_mismatch": _check_name_mismatch,
}


def test_every_scenario_has_a_structure_check() -> None:
    assert set(CHECKS) == set(SCENARIOS)


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_scenario_structure(world: World, scenario: str) -> None:
    CHECKS[scenario](world, scenario)
