"""The synthetic world: structure, determinism, parseable mail, truth inside images."""

from __future__ import annotations

import email
import email.policy
import random
from datetime import date, datetime

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
from fixtures.scenarios import SCENARIOS
from fixtures.world import DEMO_BRANCHES, World, generate_world
from rules.regions import load_regions

TODAY = date(2020, 6, 15)


@pytest.fixture(scope="module")
def world() -> World:
    return generate_world(11, len(SCENARIOS))


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
    again = generate_world(11, len(SCENARIOS))
    assert [m.eml for m in again.messages] == [m.eml for m in world.messages]
    assert again.bookings == world.bookings and again.profiles == world.profiles


def test_every_scenario_appears_and_parses_as_email(world: World) -> None:
    assert {m.scenario for m in world.messages} == set(SCENARIOS)
    codes = {b.code for b in world.bookings}
    branch_ids = {b.id for b in DEMO_BRANCHES}
    for m in world.messages:
        msg = email.message_from_bytes(m.eml, policy=email.policy.default)
        assert not msg.defects, (m.scenario, msg.defects)
        assert m.branch_id in branch_ids
        attachments = list(msg.iter_attachments())
        text = msg.get_body(("plain",)).get_content()
        assert any(code in text for code in codes), m.scenario
        spec = SCENARIOS[m.scenario]
        assert (m.expected_decision, m.expected_findings) == (spec.expected_decision,
                                                              spec.expected_findings)
        if m.scenario == "no_attachments":
            assert attachments == []
            continue
        assert attachments
        kinds = {d["kind"] for d in m.documents}
        assert ("kk" in kinds) != (m.scenario == "missing_kk")
        assert ("paklaring" in kinds) != (m.scenario == "missing_paklaring")
        for part in attachments:
            data = part.get_content()
            if part.get_content_type() == "image/jpeg":
                assert cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR) is not None
            else:
                assert data.startswith(b"%PDF-")


def test_participants_exclude_outsiders_and_name_mismatch_is_visible(world: World) -> None:
    records = {p.nik: p for p in world.profiles}
    for m in world.messages:
        assert (m.profile_nik in records) == (m.scenario != "not_participant")
        if m.scenario == "name_mismatch":
            ktp = next(d for d in m.documents if d["kind"] == "ktp")
            fields = ktp["fields"]
            assert isinstance(fields, dict)
            assert fields["nik"]["value"] == m.profile_nik
            assert fields["nama"]["value"].split()[0] != records[m.profile_nik].nama.split()[0]
