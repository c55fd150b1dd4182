"""Loading the settings: names that are no setting, and pydantic's errors in plain words."""

from __future__ import annotations

import pytest

from aliwatch.daemon.config.load import SettingsError, load, unknown_names


def test_a_name_close_to_a_setting_gets_it_suggested():
    assert unknown_names(["ALIWATCH_IMAP_HSOT", "PATH", "ALIWATCH_IMAP_HOST"], "here") == [
        "ALIWATCH_IMAP_HSOT (here) is not a setting; did you mean ALIWATCH_IMAP_HOST?"
    ]


def test_a_name_close_to_none_points_at_init():
    [problem] = unknown_names(["ALIWATCH_XYZZY"], "here")
    assert problem == (
        "ALIWATCH_XYZZY (here) is not a setting (`aliwatch init` writes a file listing every "
        "setting)"
    )


def test_names_are_compared_in_any_case_as_they_are_read():
    assert unknown_names(["aliwatch_imap_host", "aliwatch_imap_hots"], "here") == [
        "aliwatch_imap_hots (here) is not a setting; did you mean ALIWATCH_IMAP_HOST?"
    ]


def test_every_wrong_value_is_listed_once_without_pydantics_prefix(monkeypatch):
    monkeypatch.setenv("ALIWATCH_POLL_SECONDS", "soon")
    monkeypatch.setenv("ALIWATCH_REMIND_BEFORE", "later")
    with pytest.raises(SettingsError) as caught:
        load(None)
    assert caught.value.problems == [
        "ALIWATCH_REMIND_BEFORE: 'later' is not a duration like 7d, 6h, 30m or 1d12h "
        "(e.g. ALIWATCH_REMIND_BEFORE=7d,3d,1d,6h)",
        "ALIWATCH_POLL_SECONDS: Input should be a valid number, unable to parse string as a "
        "number (e.g. ALIWATCH_POLL_SECONDS=300)",
    ]


def test_the_env_file_is_read_as_systemd_reads_it(tmp_path, monkeypatch):
    monkeypatch.delenv("ALIWATCH_IMAP_FOLDERS", raising=False)
    path = tmp_path / "aliwatch.env"
    path.write_text("ALIWATCH_IMAP_FOLDERS=\"INBOX, Orders\" ' ,Spam'\n")
    assert load(path).settings.imap_folders == ("INBOX", "Orders", "Spam")
