"""Where the IMAP password and OAuth2 token come from, and that failures never show them."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import pytest

from aliwatch.daemon.config.settings import Settings
from aliwatch.daemon.config.views import ImapSettings
from aliwatch.daemon.sources.imap import ImapConfigError
from aliwatch.daemon.sources.imap.credentials import imap_password, oauth2_token

SECRET = "hunter2-secret-value"  # noqa: S105 - a made-up value the tests look for


def _settings(**values: object) -> Settings:
    base: dict[str, object] = {
        "imap_password": None,
        "imap_password_file": None,
        "imap_password_command": None,
        "imap_oauth2_token_command": None,
        "imap_timeout": 10.0,
    }
    return Settings(**{**base, **values})


def _imap(**values: object) -> ImapSettings:
    return _settings(**values).imap()


def _python(code: str) -> str:
    """A command line running `code` with this Python (no shell involved)."""
    return shlex.join([sys.executable, "-c", code])


@pytest.fixture(autouse=True)
def _no_credentials_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CREDENTIALS_DIRECTORY", raising=False)


def test_the_env_value_comes_first(tmp_path: Path):
    (tmp_path / "pw").write_text("from-file\n", encoding="utf-8")
    imap = _imap(imap_password=SECRET, imap_password_file=tmp_path / "pw")
    assert imap_password(imap) == SECRET


def test_the_password_file_loses_one_trailing_newline_only(tmp_path: Path):
    (tmp_path / "pw").write_text(SECRET + " \n\n", encoding="utf-8")
    assert imap_password(_imap(imap_password_file=tmp_path / "pw")) == SECRET + " \n"


def test_the_password_command_prints_the_password():
    imap = _imap(imap_password_command=_python(f"print({SECRET!r})"))
    assert imap_password(imap) == SECRET


def test_a_failing_password_command_raises_config_error_without_its_output():
    code = f"import sys; print({SECRET!r}); print({SECRET!r}, file=sys.stderr); sys.exit(3)"
    with pytest.raises(ImapConfigError) as caught:
        imap_password(_imap(imap_password_command=_python(code)))
    assert "exit status 3" in str(caught.value)
    assert SECRET not in str(caught.value)
    assert SECRET not in repr(caught.value)
    assert caught.value.__cause__ is None


def test_a_password_command_that_cannot_run_raises_config_error():
    missing = "/nonexistent/aliwatch-password-helper"  # a program, not a password
    imap = _imap(imap_password_command=missing)
    with pytest.raises(ImapConfigError, match="cannot run"):
        imap_password(imap)


def test_the_systemd_credential_is_the_last_source(tmp_path: Path, monkeypatch):
    (tmp_path / "imap-password").write_text(SECRET + "\n", encoding="utf-8")
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(tmp_path))
    assert imap_password(_imap()) == SECRET


def test_no_source_at_all_raises_config_error_naming_the_settings():
    with pytest.raises(ImapConfigError, match="ALIWATCH_IMAP_PASSWORD"):
        imap_password(_imap())


def test_the_token_command_is_run_again_for_each_token(tmp_path: Path):
    counter = tmp_path / "count"
    code = (
        f"from pathlib import Path; p = Path({str(counter)!r}); "
        "n = int(p.read_text()) + 1 if p.exists() else 1; p.write_text(str(n)); print(f'tok{n}')"
    )
    imap = _imap(imap_oauth2_token_command=_python(code))
    assert [oauth2_token(imap), oauth2_token(imap)] == ["tok1", "tok2"]


def test_the_settings_never_show_the_password():
    settings = _settings(imap_password=SECRET)
    assert SECRET not in repr(settings)
    assert SECRET not in str(settings.model_dump())
    assert SECRET not in repr(settings.imap())


def test_an_unreadable_credentials_directory_is_a_config_error_not_a_crash(
    tmp_path: Path, monkeypatch
):
    # Seen in a real systemd 252 boot with PrivateUsers=yes: EACCES on the credential.
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(tmp_path))

    def refused(self: Path) -> bool:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "is_file", refused)
    with pytest.raises(ImapConfigError, match="cannot read the systemd credential imap-password"):
        imap_password(_imap())


def test_outside_systemd_the_system_units_credstore_file_is_read(tmp_path: Path, monkeypatch):
    import aliwatch.daemon.config.secrets as secrets_module  # noqa: PLC0415 - the module's constant is patched

    monkeypatch.delenv("CREDENTIALS_DIRECTORY", raising=False)
    monkeypatch.setattr(secrets_module, "CREDSTORE", tmp_path)
    (tmp_path / "aliwatch.imap-password").write_text(SECRET + "\n", encoding="utf-8")
    assert imap_password(_imap()) == SECRET
