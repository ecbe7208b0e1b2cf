"""Reading participant and booking tables from CSV exports."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from typing import TypeVar

from pydantic import BaseModel, ValidationError

from pipeline.types import Booking, Participant


M = TypeVar("M", bound=BaseModel)


class CsvError(Exception):
    pass


def _rows(path: Path, fields: set[str]) -> Iterator[tuple[int, dict[str, str | None]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            yield number, {k: (v if v != "" else None) for k, v in row.items() if k in fields}


def _read_models(path: Path, model: type[M]) -> list[M]:
    """Rows of a CSV as `model`s; extra columns ignored, errors name the line."""
    result = []
    for number, row in _rows(path, set(model.model_fields)):
        try:
            result.append(model.model_validate(row))
        except ValidationError as err:
            first = err.errors()[0]
            raise CsvError(f"{path}:{number}: {first['loc']}: {first['msg']}") from None
    return result


def read_participants_csv(path: Path) -> list[Participant]:
    """Participants from a CSV with (at least) the Participant columns."""
    return _read_models(path, Participant)


def read_bookings_csv(path: Path) -> list[Booking]:
    """Bookings from a CSV with the Booking columns."""
    return _read_models(path, Booking)
