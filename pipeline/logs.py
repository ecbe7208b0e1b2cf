"""Logging set-up with identity numbers masked in every line.

Rules and adapters already log masked values; this filter is the safety net
for anything that slips through (an exception text quoting a file name or a
header): any run of 15-16 digits (NIK, No. KK, NPWP) or of 11 digits (KPJ)
is masked before a line is written.
"""

from __future__ import annotations

import logging
import re

_LONG_NUMBER = re.compile(r"(?<!\d)(\d{4})(\d{3,8})(\d{4})(?!\d)")


def mask_numbers(text: str) -> str:
    return _LONG_NUMBER.sub(lambda m: m.group(1) + "*" * len(m.group(2)) + m.group(3), text)


class MaskingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_numbers(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = mask_numbers(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


def configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(MaskingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
