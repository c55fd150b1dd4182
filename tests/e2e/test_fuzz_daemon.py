"""`make fuzz` in short (benchmarks/fuzz_daemon.py has the 10,000-mail version): a few hundred
hostile mails made from the fixtures (tests/fuzz_mail.py) through `aliwatch run --once` on the
real Dovecot. No crash, no run past its bound, a row in `mails` for every mail, and every mail
From an AliExpress sender recognised, `unrecognized` or failed with a reason.

The seed is fixed so that a failure repeats; ALIWATCH_FUZZ_SEED picks another one.
"""

from __future__ import annotations

import os

import pytest

from tests.e2e.test_run_imap import env_for
from tests.fuzz_mail import SMALL, fuzz
from tests.servers.dovecot import Dovecot

pytestmark = pytest.mark.real_server

SEED = int(os.environ.get("ALIWATCH_FUZZ_SEED", "1"))
MAILS = 300
BOUND = 60.0  # seconds for one `run --once` over a round (150 of these mails: 4-8 s here)


def test_hostile_mail_is_recorded_without_crash_or_stall(dovecot: Dovecot, tmp_path):
    print(f"fuzz seed {SEED}")  # noqa: T201 - shown with the failure: how to repeat it
    env = env_for(dovecot, tmp_path, "fuzzdaemon")
    report = fuzz(
        dovecot, tmp_path, seed=SEED, mails=MAILS, rounds=2, scale=SMALL,
        bound=lambda _: BOUND, env=env, folder="fuzzdaemon",
    )  # fmt: skip
    repeat = f"(seed {SEED}: ALIWATCH_FUZZ_SEED={SEED} to repeat)"
    assert len(report.appended) == MAILS
    assert not report.run_problems, f"{repeat}\n" + "\n".join(report.run_problems)
    violations = [f"UID {uid}: {why}" for uid, why in report.verdict.violations[:10]]
    assert not violations, f"{repeat} {len(report.verdict.violations)} violations:\n" + "\n".join(
        violations
    )
