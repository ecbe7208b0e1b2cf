"""Settings: a wrong or missing setting names the key and the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.settings import SettingsError, check_secrets, load_settings

VALID = """
[storage]
database_url = "sqlite:///var/x.db"
archive_dir = "var/archive"

[smtp]
host = "127.0.0.1"
port = 2525

[[branches]]
id = "balikpapan"
name = "Kantor Cabang Balikpapan"
province = "Kalimantan Timur"
reply_from = "balikpapan@example.org"
[branches.imap]
host = "127.0.0.1"
port = 993
user = "balikpapan"
password_env = "TEST_IMAP_BPN"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "intake.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_valid_file_loads_and_resolves_relative_paths(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, VALID))
    assert settings.branches[0].imap.folder == "INBOX"
    assert settings.storage.archive_dir == tmp_path.resolve() / "var/archive"
    assert settings.storage.database_url == f"sqlite:///{tmp_path.resolve()}/var/x.db"


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (('port = 993', 'port = "imaps"'), "branches[0].imap.port"),
        (('port = 993', 'port = 99999'), "branches[0].imap.port"),
        (('user = "balikpapan"\n', ""), "branches[0].imap.user"),
        (('reply_from = "balikpapan@example.org"', 'reply_from = "nobody"'), "branches[0].reply_from"),
        (('id = "balikpapan"', 'id = "Balik Papan"'), "branches[0].id"),
        (('port = 2525', 'port = 2525\nsecure = true'), "smtp.secure"),
    ],
    ids=["port-type", "port-range", "user-missing", "reply-from", "branch-id", "unknown-key"],
)
def test_wrong_setting_names_key_and_file(tmp_path: Path, change: tuple[str, str], key: str) -> None:
    path = write(tmp_path, VALID.replace(*change))
    with pytest.raises(SettingsError) as caught:
        load_settings(path)
    assert str(path) in str(caught.value)
    assert f"setting {key}:" in str(caught.value)


def test_missing_branches(tmp_path: Path) -> None:
    path = write(tmp_path, VALID.split("[[branches]]")[0])
    with pytest.raises(SettingsError, match=r"setting branches: Field required"):
        load_settings(path)


def test_duplicate_branch_ids(tmp_path: Path) -> None:
    branch = "[[branches]]" + VALID.split("[[branches]]")[1]
    path = write(tmp_path, VALID + branch)
    with pytest.raises(SettingsError, match="appears twice"):
        load_settings(path)


def test_missing_file_and_bad_toml(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="settings file not found"):
        load_settings(tmp_path / "nope.toml")
    with pytest.raises(SettingsError, match="not valid TOML"):
        load_settings(write(tmp_path, "[storage\n"))


def test_missing_secret_names_the_key_and_variable(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    settings = load_settings(write(tmp_path, VALID))
    monkeypatch.delenv("TEST_IMAP_BPN", raising=False)
    with pytest.raises(SettingsError) as caught:
        check_secrets(settings)
    message = str(caught.value)
    assert "branches[0].imap.password_env" in message and "TEST_IMAP_BPN" in message
    monkeypatch.setenv("TEST_IMAP_BPN", "x")
    check_secrets(settings)


def test_cli_reports_settings_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from pipeline.cli import main

    path = write(tmp_path, VALID.replace("port = 993", "port = -1"))
    assert main(["--config", str(path), "report"]) == 2
    err = capsys.readouterr().err
    assert "branches[0].imap.port" in err and str(path) in err


def test_example_file_in_docs_is_valid() -> None:
    example = Path(__file__).resolve().parents[2] / "docs" / "intake.example.toml"
    settings = load_settings(example)
    assert [b.id for b in settings.branches] == ["balikpapan", "pontianak"]


def test_branch_zone_defaults_to_the_top_level_zone(tmp_path: Path) -> None:
    pontianak = ("[[branches]]" + VALID.split("[[branches]]")[1]).replace("balikpapan", "pontianak")
    own = VALID.replace('reply_from = "balikpapan@example.org"',
                        'reply_from = "balikpapan@example.org"\ntimezone = "Asia/Makassar"')
    settings = load_settings(write(tmp_path, own + pontianak))
    assert settings.timezone == "Asia/Jakarta"
    assert [b.timezone for b in settings.branches] == ["Asia/Makassar", "Asia/Jakarta"]
    assert settings.zone_of("balikpapan") == "Asia/Makassar"
    assert settings.zone_of("pontianak") == "Asia/Jakarta"
    # Days need one zone: a branch's own, the top-level one for a mixed set.
    assert settings.zone_for(["balikpapan"]) == "Asia/Makassar"
    assert settings.zone_for(["balikpapan", "pontianak"]) == "Asia/Jakarta"
    wit = load_settings(write(tmp_path, 'timezone = "Asia/Jayapura"\n' + VALID))
    assert wit.zone_of("balikpapan") == "Asia/Jayapura"


def test_unknown_time_zone_names_the_key(tmp_path: Path) -> None:
    line = 'reply_from = "balikpapan@example.org"'
    path = write(tmp_path, VALID.replace(line, line + '\ntimezone = "WITA"'))
    with pytest.raises(SettingsError, match=r"branches\[0\]\.timezone: .*unknown time zone 'WITA'"):
        load_settings(path)
    with pytest.raises(SettingsError, match=r"setting timezone: .*unknown time zone"):
        load_settings(write(tmp_path, 'timezone = "Asia/Nowhere"\n' + VALID))


def test_example_file_keeps_balikpapan_in_wita() -> None:
    example = Path(__file__).resolve().parents[2] / "docs" / "intake.example.toml"
    settings = load_settings(example)
    assert settings.zone_of("balikpapan") == "Asia/Makassar"
    assert settings.zone_of("pontianak") == "Asia/Jakarta"
