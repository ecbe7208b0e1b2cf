"""Kemendagri region codes (province, regency/city, district) for NIK checks.

The tables ship in rules/data/wilayah (MIT, see the README there). A NIK
carries the code of the district where it was issued; districts have been
split and renamed, so a code known only to the 2022 edition is still a real
code (see DOMAIN.md: an unknown old prefix is a warning, not a rejection).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources


@dataclass(frozen=True)
class Region:
    code: str  # digits only: 2 (provinsi), 4 (kab_kota) or 6 (kecamatan)
    level: str
    name: str
    edition: str  # "2025" or "2022"


@dataclass(frozen=True)
class Village:
    code: str  # 10 digits
    name: str


class Regions:
    """Look-ups over both editions; the 2025 name wins where both exist."""

    def __init__(self, current: dict[str, Region], archive: dict[str, Region],
                 villages: tuple[Village, ...]) -> None:
        self._current = current
        self._archive = archive
        self.villages = villages

    def get(self, code: str) -> Region | None:
        return self._current.get(code) or self._archive.get(code)

    def edition_of(self, code: str) -> str | None:
        """"2025" if current, "2022" if only in the archive, None if unknown."""
        if code in self._current:
            return "2025"
        if code in self._archive:
            return "2022"
        return None

    def districts(self, province_prefix: str = "") -> list[Region]:
        """Current districts (kecamatan), optionally within a province or regency."""
        return [r for c, r in self._current.items()
                if r.level == "kecamatan" and c.startswith(province_prefix)]

    def villages_of(self, district_code: str) -> list[Village]:
        return [v for v in self.villages if v.code.startswith(district_code)]

    def names(self, level: str) -> list[str]:
        """Every name of a level across both editions (for snapping OCR text)."""
        seen = {r.name for r in self._current.values() if r.level == level}
        seen |= {r.name for r in self._archive.values() if r.level == level}
        return sorted(seen)


def _read_table(name: str, edition: str) -> dict[str, Region]:
    path = resources.files("rules") / "data" / "wilayah" / name
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["kode_digits"]: Region(row["kode_digits"], row["level"], row["nama"], edition)
                for row in csv.DictReader(handle)}


@lru_cache(maxsize=1)
def load_regions() -> Regions:
    """The shipped tables, read once per process."""
    path = resources.files("rules") / "data" / "wilayah" / "villages_kalimantan_2025.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        villages = tuple(Village(r["kode_digits"], r["nama"]) for r in csv.DictReader(handle))
    return Regions(_read_table("regions_2025.csv", "2025"),
                   _read_table("regions_2022.csv", "2022"), villages)
