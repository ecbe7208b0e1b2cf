"""One Settings model, read once from a TOML file and passed down.

Secrets never live in the file: each password is named by the environment
variable that holds it (`password_env`), and is read here, at start-up, so a
missing secret stops the program before any mail is touched.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (AfterValidator, BaseModel, ConfigDict, Field, SecretStr, ValidationError,
                      model_validator)


class SettingsError(Exception):
    """A wrong or missing setting; the message names the key and the file."""

    exit_code = 2


class Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _known_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r} (e.g. Asia/Jakarta, Asia/Makassar)") from None
    return name


# An IANA zone name: Asia/Jakarta (WIB), Asia/Makassar (WITA), Asia/Jayapura (WIT).
TimeZoneName = Annotated[str, AfterValidator(_known_zone)]


class TlsMode(StrEnum):
    NONE = "none"
    STARTTLS = "starttls"
    SSL = "ssl"


class ImapSettings(Strict):
    host: str
    port: int = Field(ge=1, le=65535)
    tls: TlsMode = TlsMode.SSL
    cafile: Path | None = None  # extra CA for a self-signed server
    user: str
    password_env: str
    folder: str = "INBOX"
    timeout_seconds: float = Field(default=60, gt=0)


class Branch(Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    name: str
    province: str
    reply_from: str = Field(pattern=r"^[^@\s]+@[^@\s]+$")
    # The office's street address, shown with the appointment in replies.
    office_address: str | None = None
    # The branch's own zone (Balikpapan, Samarinda, Banjarmasin and Tarakan
    # keep WITA, Asia/Makassar); unset, the top-level `timezone`, which
    # Settings fills in, so a loaded branch always names its zone.
    timezone: TimeZoneName | None = None
    imap: ImapSettings


class SmtpSettings(Strict):
    host: str = "127.0.0.1"
    port: int = Field(default=25, ge=1, le=65535)
    tls: TlsMode = TlsMode.NONE
    cafile: Path | None = None
    user: str | None = None
    password_env: str | None = None
    timeout_seconds: float = Field(default=30, gt=0)


class StorageSettings(Strict):
    database_url: str = "sqlite:///var/intake.db"
    archive_dir: Path = Path("var/archive")


class PostAction(StrEnum):
    KEYWORD = "keyword"
    MOVE = "move"
    KEYWORD_AND_MOVE = "keyword_and_move"


class PollingSettings(Strict):
    interval_seconds: int = Field(default=300, ge=5)
    post_action: PostAction = PostAction.KEYWORD
    done_keyword: str = Field(default="$Intake-Done", pattern=r"^\$?[A-Za-z0-9_-]+$")
    move_to: str = "Processed"
    # Messages fetched per IMAP round trip; bounds memory on a full inbox.
    batch_size: int = Field(default=20, ge=1, le=500)


class LimitSettings(Strict):
    max_message_bytes: int = Field(default=60_000_000, gt=0)
    max_attachment_bytes: int = Field(default=25_000_000, gt=0)
    max_pdf_pages: int = Field(default=30, gt=0)
    max_pages_per_submission: int = Field(default=40, gt=0)
    max_image_pixels: int = Field(default=60_000_000, gt=0)


class OcrSettings(Strict):
    # tesserocr: libtesseract in-process (no process start per call);
    # pytesseract: the tesseract command, one process per call.
    engine: Literal["tesserocr", "pytesseract"] = "tesserocr"
    lang: str = "ind"
    tessdata_dir: Path | None = None
    timeout_seconds: float = Field(default=60, gt=0)
    # Pages OCR'd in parallel; 0 means one per core.
    workers: int = Field(default=0, ge=0)


class WebSettings(Strict):
    """The officers' review desk (`intake web`)."""

    # Loopback by default: the desk shows identity data, so exposing it is a
    # deliberate choice (behind a TLS proxy, with secure_cookies = true).
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    # Names the environment variable holding the key that signs session cookies.
    secret_key_env: str = "INTAKE_WEB_SECRET_KEY"
    secure_cookies: bool = False
    session_hours: float = Field(default=10, gt=0)
    # How long an opened submission stays reserved for the officer working on it.
    lock_minutes: int = Field(default=15, ge=1)
    # Sign-in failures tolerated per window, per username and per client address.
    login_window_minutes: int = Field(default=15, ge=1)
    login_max_failures_user: int = Field(default=5, ge=1)
    login_max_failures_client: int = Field(default=20, ge=1)
    # Regions a supervisor may be scoped to, each a list of provinces;
    # a supervisor may also be scoped to one province by its name.
    regions: dict[str, tuple[str, ...]] = Field(default_factory=dict)


class Settings(Strict):
    source: Path | None = Field(default=None, exclude=True)
    timezone: TimeZoneName = "Asia/Jakarta"
    storage: StorageSettings = StorageSettings()
    smtp: SmtpSettings = SmtpSettings()
    polling: PollingSettings = PollingSettings()
    limits: LimitSettings = LimitSettings()
    ocr: OcrSettings = OcrSettings()
    web: WebSettings = WebSettings()
    branches: tuple[Branch, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_branch_ids(self) -> Settings:
        seen: set[str] = set()
        for branch in self.branches:
            if branch.id in seen:
                raise ValueError(f"branch id {branch.id!r} appears twice")
            seen.add(branch.id)
        return self

    @model_validator(mode="after")
    def _branch_zones(self) -> Settings:
        if all(branch.timezone is not None for branch in self.branches):
            return self
        zoned = tuple(branch if branch.timezone is not None
                      else branch.model_copy(update={"timezone": self.timezone})
                      for branch in self.branches)
        # Frozen model: the validated instance is completed in place, once.
        object.__setattr__(self, "branches", zoned)
        return self

    def zone_of(self, branch_id: str) -> str:
        """The zone a branch's times are written in."""
        return self.branch(branch_id).timezone or self.timezone

    def zone_for(self, branch_ids: Iterable[str]) -> str:
        """The zone of a set of branches: theirs when they share one, else the top-level one.

        Days (dashboard periods, queue date filters) need one zone: a branch,
        or a province, keeps its own; a region spanning WIB and WITA counts
        days in the top-level zone.
        """
        zones = {self.zone_of(branch_id) for branch_id in branch_ids}
        return zones.pop() if len(zones) == 1 else self.timezone

    def branch(self, branch_id: str) -> Branch:
        for branch in self.branches:
            if branch.id == branch_id:
                return branch
        known = ", ".join(b.id for b in self.branches)
        raise SettingsError(f"unknown branch {branch_id!r} (configured: {known})")


def _key_path(loc: tuple[int | str, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        else:
            parts.append(("." if parts else "") + str(item))
    return "".join(parts) or "(top level)"


def _resolve_paths(settings: Settings, base: Path) -> Settings:
    """Relative paths in the file are relative to the file, not the cwd."""
    storage = settings.storage
    archive = storage.archive_dir if storage.archive_dir.is_absolute() else base / storage.archive_dir
    url = storage.database_url
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and url != "sqlite://":
        url = prefix + str(base / url[len(prefix):])
    return settings.model_copy(
        update={"storage": storage.model_copy(update={"archive_dir": archive, "database_url": url})}
    )


def parse_settings(data: dict[str, object], source: Path | None = None) -> Settings:
    """Validate a settings mapping; errors name the key and the file."""
    where = str(source) if source else "<settings>"
    try:
        settings = Settings.model_validate({**data, "source": source})
    except ValidationError as err:
        first = err.errors()[0]
        key = _key_path(first["loc"])
        more = f" (and {err.error_count() - 1} more)" if err.error_count() > 1 else ""
        raise SettingsError(f"{where}: setting {key}: {first['msg']}{more}") from None
    if source is not None:
        settings = _resolve_paths(settings, source.parent.resolve())
    return settings


def load_settings(path: Path) -> Settings:
    """Read and validate the TOML file at `path`."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SettingsError(f"{path}: settings file not found") from None
    except OSError as err:
        raise SettingsError(f"{path}: cannot read settings file ({err.strerror})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise SettingsError(f"{path}: not valid TOML: {err}") from None
    return parse_settings(data, path)


def read_secret(env_name: str | None, key: str, settings: Settings) -> SecretStr | None:
    """The secret held by the environment variable named at `key`."""
    if env_name is None:
        return None
    value = os.environ.get(env_name)
    if value is None:
        where = settings.source or "<settings>"
        raise SettingsError(
            f"{where}: setting {key}: environment variable {env_name} is not set"
        )
    return SecretStr(value)


def check_secrets(settings: Settings) -> None:
    """Fail at start-up, not mid-poll, when a named secret is missing."""
    for index, branch in enumerate(settings.branches):
        read_secret(branch.imap.password_env, f"branches[{index}].imap.password_env", settings)
    read_secret(settings.smtp.password_env, "smtp.password_env", settings)
