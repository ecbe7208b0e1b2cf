"""Identity numbers never reach a log line in full."""

from __future__ import annotations

import logging

import pytest

from extractors.nik import mask_nik
from pipeline.logs import MaskingFilter, mask_numbers


def test_mask_nik() -> None:
    assert mask_nik("6472034703850012") == "6472********0012"
    assert mask_nik(None) == "-"


def test_mask_numbers_in_text() -> None:
    text = "NIK 6472034703850012, KPJ 12345678901, NPWP 123456789012345, on 2020-06-12"
    masked = mask_numbers(text)
    assert "6472034703850012" not in masked and "12345678901" not in masked
    assert "123456789012345" not in masked and "2020-06-12" in masked


def test_filter_masks_message_and_exception(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("test.masking")
    logger.addFilter(MaskingFilter())
    with caplog.at_level(logging.INFO, logger="test.masking"):
        logger.info("participant %s not found", "6472034703850012")
        try:
            raise ValueError("bad NIK 6472034703850012")
        except ValueError:
            logger.exception("failed")
    assert "6472034703850012" not in caplog.text
    assert "6472********0012" in caplog.text
