"""Reading participant and booking tables from CSV exports."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from pydantic import ValidationError

from pipeline.types import Booking, Participant


class CsvError(Exception):
    pass


def _rows(path: Path, fields: set[str]) -> Iterator[tuple[int, dict[str, str | None]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            yield number, {k: (v if v != "" else None) for k, v in row.items() if k in fields}


def read_participants_csv(path: Path) -> list[Participant]:
    """Participants from a CSV with (at least) the Participant columns; extras ignored."""
    result = []
    for number, row in _rows(path, set(Participant.model_fields)):
        try:
            result.append(Participant.model_validate(row))
        except ValidationError as err:
            raise CsvError(f"{path}:{number}: {err.errors()[0]['loc']}: {err.errors()[0]['msg']}"
                           ) from None
    return result


def read_bookings_csv(path: Path) -> list[Booking]:
    result = []
    for number, row in _rows(path, set(Booking.model_fields)):
        try:
            result.append(Booking.model_validate(row))
        except ValidationError as err:
            raise CsvError(f"{path}:{number}: {err.errors()[0]['loc']}: {err.errors()[0]['msg']}"
                           ) from None
    return result
