"""`aliwatch run` over a local mailbox: one pass, alerts delivered once, a clean stop on SIGTERM."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import MAILBOX as MAILBOX_PATH
from tests.support import NOW_TEXT as NOW
from tests.support import Daemon, fill, log_has, small_tmpfs, wait_until

ALIWATCH = str(Path(sys.executable).with_name("aliwatch"))
MAILBOX = str(MAILBOX_PATH)
PROPOSAL = "The seller made a proposal in your dispute — order 8200000000000303"


@pytest.fixture
def env(tmp_path):
    return {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "ALIWATCH_DB_PATH": str(tmp_path / "aliwatch.db"),
        "ALIWATCH_MAILDIR": MAILBOX,
        "ALIWATCH_LOG_FORMAT": "json",
    }


def run_once(env, *extra):
    return subprocess.run(
        [ALIWATCH, *extra, "run", "--once", "--now", NOW],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )


def test_one_pass_delivers_the_alerts(env):
    result = run_once(env)
    assert result.returncode == 0, result.stderr
    assert PROPOSAL in result.stdout
    assert "one pass: 22 new events" in result.stdout


def test_a_second_pass_delivers_nothing_twice(env):
    run_once(env)
    again = run_once(env)
    assert PROPOSAL not in again.stdout
    assert "one pass: 0 new events" in again.stdout


def test_log_lines_are_json_with_counts_only(env):
    result = run_once(env)
    lines = [json.loads(line) for line in result.stderr.splitlines()]
    assert {line["event"] for line in lines} >= {"sync_done", "rules_done"}
    for line in lines:
        assert "Bestellung" not in json.dumps(line)  # no subject or body text in any log line


def test_nothing_configured_is_a_clear_error(env):
    del env["ALIWATCH_MAILDIR"]
    result = run_once(env)
    assert result.returncode == 2  # a settings problem, like a wrong value
    assert "nothing to watch" in result.stderr
    assert "Traceback" not in result.stderr


def test_env_file_is_read_and_the_environment_wins(env, tmp_path):
    env_file = tmp_path / "aliwatch.env"
    env_file.write_text(
        f"ALIWATCH_MAILDIR={MAILBOX}\nALIWATCH_DB_PATH={tmp_path / 'from-file.db'}\n"
    )
    del env["ALIWATCH_MAILDIR"]
    result = run_once(env, "--env-file", str(env_file))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "aliwatch.db").exists()  # ALIWATCH_DB_PATH from the environment won
    assert not (tmp_path / "from-file.db").exists()


def test_default_env_file_under_xdg_config_home(env, tmp_path):
    config = tmp_path / "config" / "aliwatch"
    config.mkdir(parents=True)
    (config / "aliwatch.env").write_text(f"ALIWATCH_MAILDIR={MAILBOX}\n")
    del env["ALIWATCH_MAILDIR"]
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    assert run_once(env).returncode == 0


def test_missing_env_file_is_refused(env, tmp_path):
    result = run_once(env, "--env-file", str(tmp_path / "nope.env"))
    assert result.returncode == 2
    assert "no such file" in result.stderr


def test_sigterm_stops_the_loop_promptly_with_exit_code_0(env):
    env["ALIWATCH_POLL_SECONDS"] = "600"
    with Daemon(env) as daemon:
        # After the first pass, in the wait for the next one ten minutes away.
        assert wait_until(log_has(daemon.log, "rules_done"), 60)
        assert daemon.sigterm() == 0  # not the 600 s poll
        assert wait_until(log_has(daemon.log, "stopped"), 5)


def test_started_on_a_full_disk_it_waits_for_room_then_works(env, tmp_path):
    with small_tmpfs(tmp_path / "store") as store:
        env["ALIWATCH_DB_PATH"] = str(store / "aliwatch.db")
        filler = fill(store)
        with Daemon(env, "--now", NOW) as daemon:
            # Said, with the setting to look at, and still running: not an exit for systemd
            # to restart into the same full disk.
            assert wait_until(log_has(daemon.log, "store_full", "ALIWATCH_DB_PATH"), 30)
            assert daemon.process.poll() is None
            filler.unlink()
            assert daemon.wait_for(daemon.out, PROPOSAL, 90)
            assert daemon.sigterm() == 0


def test_a_stop_while_waiting_for_room_is_prompt(env, tmp_path):
    with small_tmpfs(tmp_path / "store") as store:
        env["ALIWATCH_DB_PATH"] = str(store / "aliwatch.db")
        fill(store)
        with Daemon(env) as daemon:
            assert wait_until(log_has(daemon.log, "store_full"), 30)
            assert daemon.sigterm() == 0
