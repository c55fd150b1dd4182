"""The randomized fault harness (harness.py) inside the suite: a few short seeded runs.

`make faults` runs it over 100 seeds (benchmarks/faults.py); a failing seed replays with
`.venv/bin/python benchmarks/faults.py --seed N -v`. Besides two stories with every fault and
every forgery, each daemon bug the harness once found keeps a run on a seed that showed it: a
forged follow-up proposal alerted as genuine, a full disk ending the daemon, a reader in another
process deleting the daemon's WAL, a clean stop during a send mailing the alert twice.
"""

from __future__ import annotations

import os
import random
import shutil

import pytest

from tests.conftest import missing_server
from tests.e2e.faults.harness import (
    DEMO_PROPOSAL,
    FAULT_KINDS,
    FORGED_KINDS,
    Options,
    SeedResult,
    build_story,
    run_seed,
)
from tests.servers.dovecot import DOVECOT

pytestmark = pytest.mark.real_server

SMALL = {"mails": (8, 12), "faults": (3, 4)}
TINY = {"mails": (6, 8), "faults": (2, 3)}


@pytest.fixture(autouse=True)
def _servers() -> None:
    if not os.access(DOVECOT, os.X_OK):
        missing_server(f"{DOVECOT} not installed (apt-get install dovecot-imapd)")
    if shutil.which("openssl") is None:
        missing_server("openssl not installed (needed for the test TLS certs)")


def _explain(result: SeedResult) -> str:
    return "\n".join(
        [result.line(), *result.failures, *result.notes, f"work dir: {result.workdir}"]
    )


def _passes(result: SeedResult, fault: str | None = None) -> None:
    """Every invariant held, and the `fault` under test really was injected."""
    assert result.ok, _explain(result)
    if fault is not None:
        assert result.faults[fault] >= 1, _explain(result)


@pytest.mark.parametrize("seed", [11, 12])
def test_a_seeded_story_with_faults_keeps_every_invariant(seed: int) -> None:
    result = run_seed(seed, Options(**SMALL, fault_kinds=FAULT_KINDS, forged_kinds=FORGED_KINDS))
    _passes(result)
    assert sum(result.faults.values()) >= 3, _explain(result)  # it really was hit
    assert result.events == result.expected_events > 0


def test_a_forged_follow_up_proposal_is_never_alerted_as_genuine() -> None:
    # Seed 2's story has the genuine proposal of order ...303 before the forged one: the
    # daemon reads the forged proposal with or after the genuine one, whatever the timing.
    options = Options(**TINY, fault_kinds=FAULT_KINDS, forged_kinds=("forged_followup",))
    rng = random.Random(2)
    story = build_story(rng, 2, rng.randint(*options.mails), options.forged_kinds)
    genuine = next(i for i, m in enumerate(story) if m.name == DEMO_PROPOSAL.name)
    assert genuine < next(i for i, m in enumerate(story) if m.forged)
    _passes(run_seed(2, options))


def test_a_full_disk_under_the_store_is_survived() -> None:
    options = Options(**TINY, fault_kinds=("disk_full",), forged_kinds=FORGED_KINDS)
    _passes(run_seed(1, options), "disk_full")


def test_aliwatch_status_beside_the_daemon_leaves_its_wal_alone() -> None:
    options = Options(**TINY, fault_kinds=("reader",), forged_kinds=FORGED_KINDS)
    _passes(run_seed(1, options), "reader")


def test_a_clean_stop_during_a_send_mails_the_alert_once() -> None:
    # term_in_send: the SMTP server sends the daemon SIGTERM as it takes an alert and gives
    # the 250 half a second later (a server acknowledging after its content filter).
    options = Options(**TINY, fault_kinds=("term_in_send",), forged_kinds=FORGED_KINDS)
    _passes(run_seed(6, options), "term_in_send")
