"""One error root: every error aliwatch raises on purpose is an AliwatchError, and the CLI maps
configuration errors to exit status 2, the rest to 1, in one place."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import aliwatch.daemon
from aliwatch.daemon.config.errors import AliwatchError, ConfigError, exit_status
from aliwatch.daemon.sources.imap.errors import ImapConfigError, ImapConnectError
from aliwatch.daemon.store.errors import StoreError

# Raised and caught inside daemon/alerts/channels/setup.py, which turns it into a ChannelSetupError.
INTERNAL = {"AppriseMissingError"}


def test_every_error_class_in_the_daemon_is_an_aliwatch_error():
    found = {}
    for info in pkgutil.walk_packages(aliwatch.daemon.__path__, "aliwatch.daemon."):
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if (
                inspect.isclass(value)
                and issubclass(value, BaseException)
                and value.__module__ == module.__name__
            ):
                found[name] = value
    assert len(found) >= 15
    strays = sorted(n for n, c in found.items() if not issubclass(c, AliwatchError))
    assert strays == sorted(INTERNAL)


def test_configuration_errors_exit_2_and_the_rest_1():
    assert exit_status(ImapConfigError("ALIWATCH_IMAP_HOST is not set")) == 2
    assert exit_status(ConfigError("x")) == 2
    assert exit_status(ImapConnectError("lost")) == 1
    assert exit_status(StoreError("malformed")) == 1
