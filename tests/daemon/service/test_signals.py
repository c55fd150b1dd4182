"""A stop signal is handled without logging from the handler, so it cannot hang the stop."""

from __future__ import annotations

import subprocess
import sys
import textwrap

# The daemon's main thread holds structlog's stderr lock while it writes a log line; a SIGTERM
# arriving then runs the handler in that same thread. A handler that logs waits on the lock it
# already holds: the stop hung until SIGKILL (seen once in CI, a 10 s timeout in test_run.py).
SCRIPT = textwrap.dedent(
    """
    import os, signal, sys, threading
    import structlog
    from aliwatch.daemon.service.logs import configure
    from aliwatch.daemon.service.runner import install_signal_handlers, log_stopping

    configure("json")
    stop = threading.Event()
    install_signal_handlers(stop)
    lock = structlog.PrintLogger(sys.stderr)._lock  # the lock every log line to stderr takes
    with lock:  # as if the signal came in the middle of a log line
        os.kill(os.getpid(), signal.SIGTERM)
        for _ in range(1000):  # the handler runs between two of these bytecodes
            pass
    assert stop.is_set()
    log_stopping()
    """
)


def test_sigterm_in_the_middle_of_a_log_line_stops_without_hanging():
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=30, check=False
    )
    assert done.returncode == 0, done.stderr
    assert '"event": "stopping"' in done.stderr and '"signal": "SIGTERM"' in done.stderr
