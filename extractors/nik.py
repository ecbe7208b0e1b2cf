"""The structure of a NIK: `PPKKCC DDMMYY SSSS` (see DOMAIN.md).

Region (province, regency/city, district), birth date with 40 added to the
day for women, and a serial from 0001. Pure functions, shared by the
extractors (to repair OCR confusions), the rules (to check) and the
fixtures (to generate).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rules.regions import Regions

NIK_LENGTH = 16


@dataclass(frozen=True)
class NikParts:
    region: str  # 6 digits
    birth_day: int  # as printed: 41-71 for women
    birth_month: int
    birth_year2: int
    serial: int

    @property
    def female(self) -> bool:
        return self.birth_day > 40

    @property
    def day(self) -> int:
        return self.birth_day - 40 if self.female else self.birth_day

    def birth_date(self, today: date) -> date | None:
        """The birth date, choosing the century that puts it in the past."""
        for century in (2000, 1900):
            year = century + self.birth_year2
            try:
                born = date(year, self.birth_month, self.day)
            except ValueError:
                return None
            if born <= today:
                return born
        return None


def split_nik(nik: str) -> NikParts | None:
    """The parts of a 16-digit string, or None if it is not 16 digits."""
    if len(nik) != NIK_LENGTH or not nik.isdigit():
        return None
    return NikParts(region=nik[:6], birth_day=int(nik[6:8]), birth_month=int(nik[8:10]),
                    birth_year2=int(nik[10:12]), serial=int(nik[12:]))


def nik_problems(nik: str, regions: Regions, today: date) -> list[str]:
    """Reasons the NIK cannot be real; empty when it is structurally valid.

    A region code known only to the 2022 edition is valid (regions split);
    the caller may still warn about it via `Regions.edition_of`.
    """
    parts = split_nik(nik)
    if parts is None:
        return ["not_16_digits"]
    problems: list[str] = []
    if regions.get(parts.region[:2]) is None:
        problems.append("unknown_province")
    elif regions.get(parts.region) is None:
        problems.append("unknown_district")
    if not (1 <= parts.day <= 31) or not (1 <= parts.birth_month <= 12):
        problems.append("invalid_birth_date")
    elif parts.birth_date(today) is None:
        problems.append("invalid_birth_date")
    if parts.serial == 0:
        problems.append("zero_serial")
    return problems


def make_nik(region: str, born: date, female: bool, serial: int) -> str:
    """Compose a NIK from its parts (fixtures and tests)."""
    day = born.day + 40 if female else born.day
    return f"{region}{day:02d}{born.month:02d}{born.year % 100:02d}{serial:04d}"


def mask_nik(value: str | None) -> str:
    """`6472********0001`: enough to tell records apart, not to identify."""
    if not value:
        return "-"
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]
