"""A branch's own time zone reaches its replies: Balikpapan writes WITA, Pontianak WIB."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage

import pytest

from pipeline.adapters.ocr_inprocess import make_ocr_engine
from pipeline.process import Services, process_message
from pipeline.settings import Branch, ImapSettings, LimitSettings
from pipeline.types import Booking, DecisionStatus, Participant
from rules.regions import load_regions

RECEIVED = datetime(2020, 6, 10, 1, 0, tzinfo=UTC)  # 08.00 WIB, 09.00 WITA
NOW = datetime(2020, 6, 10, 1, 5, tzinfo=UTC)


def branch(branch_id: str, province: str, zone: str | None) -> Branch:
    return Branch(id=branch_id, name=f"Kantor Cabang {branch_id.title()}", province=province,
                  reply_from=f"kc.{branch_id}@example.org", timezone=zone,
                  imap=ImapSettings(host="127.0.0.1", port=993, user="u", password_env="X"))


def no_participant(_nik: str | None, _kpj: str | None, _email: str | None) -> Participant | None:
    return None


def no_booking(_code: str | None, _nik: str | None, _branch: str) -> Booking | None:
    return None


def message_without_files() -> bytes:
    mail = EmailMessage()
    mail["From"] = "Siti Aminah <siti@example.org>"
    mail["To"] = "kc@example.org"
    mail["Subject"] = "Pengajuan klaim JHT"
    mail["Message-ID"] = "<zone-test@example.org>"
    mail.set_content("Berkas menyusul.")
    return mail.as_bytes()


@pytest.mark.parametrize(("spec", "shown"), [
    (branch("balikpapan", "Kalimantan Timur", "Asia/Makassar"), "10 Juni 2020 pukul 09.00 WITA"),
    # No zone of its own: the top-level one the services carry.
    (branch("pontianak", "Kalimantan Barat", None), "10 Juni 2020 pukul 08.00 WIB"),
], ids=["own-zone", "default-zone"])
def test_reply_speaks_the_branch_zone(spec: Branch, shown: str) -> None:
    services = Services(engine=make_ocr_engine("tesserocr", "ind", None, 60),
                        regions=load_regions(), limits=LimitSettings(),
                        find_participant=no_participant, find_booking=no_booking,
                        timezone="Asia/Jakarta")
    outcome = process_message(spec, message_without_files(), RECEIVED, services, NOW)
    assert outcome.decision.status == DecisionStatus.REJECTED  # MAIL-001: nothing attached
    assert outcome.reply is not None
    assert f"pada {shown}" in outcome.reply.body_text
