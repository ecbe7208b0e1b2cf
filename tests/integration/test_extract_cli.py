"""`intake extract FILE... --json` as a user runs it: one JSON line per page (or card)."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from fixtures.capture import encode_jpeg, flatbed_scan, several_on_page
from fixtures.people import generate_profiles
from fixtures.render import renderers

pytestmark = [pytest.mark.ocr, pytest.mark.slow]

TODAY = date(2020, 6, 15)


def extract(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pipeline.cli", "extract", *args],
                          capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("extract")
    profile = generate_profiles(random.Random(41), 1, TODAY)[0]
    rng = random.Random(42)
    cards = [renderers()[kind](profile, rng) for kind in ("ktp", "kartu_peserta", "npwp")]
    page, _placed = several_on_page([card.image for card in cards], rng)
    together = root / "kartu bersama.jpg"
    together.write_bytes(encode_jpeg(page, 85))
    single = root / "ktp.jpg"
    single.write_bytes(encode_jpeg(flatbed_scan(cards[0].image, rng), 90))
    text = root / "catatan.txt"
    text.write_text("bukan dokumen\n")
    return {"together": together, "single": single, "text": text,
            "nik": cards[0].truth["nik"].value}  # type: ignore[dict-item]


def test_each_card_on_a_shared_page_is_its_own_record(files: dict[str, Path]) -> None:
    result = extract(str(files["together"]), str(files["single"]), "--json")
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    together = [r for r in records if r["file"] == str(files["together"])]
    assert [(r["page"], r["part"]) for r in together] == [(1, 1), (1, 2), (1, 3)]
    assert [r["kind"] for r in together] == ["ktp", "kartu_peserta", "npwp"]
    single = [r for r in records if r["file"] == str(files["single"])]
    assert len(single) == 1 and "part" not in single[0]
    assert single[0]["fields"]["nik"]["value"] == files["nik"]
    for record in records:
        assert set(record) >= {"file", "page", "kind", "kind_confidence", "quality", "fields"}


def test_a_file_that_is_not_a_scan_fails_with_a_message(files: dict[str, Path]) -> None:
    result = extract(str(files["text"]), str(files["single"]), "--json")
    assert result.returncode != 0
    assert "catatan.txt" in result.stderr
    # The readable file is still read.
    assert len(result.stdout.splitlines()) == 1
