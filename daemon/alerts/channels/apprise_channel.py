"""The Apprise channels: one per URL in ALIWATCH_APPRISE_URLS (the optional extra)."""

from __future__ import annotations

import hashlib
from typing import Any

from pydantic import SecretStr

from aliwatch.daemon.alerts.channels.channel import ChannelError, Outgoing
from aliwatch.daemon.alerts.render import alert_text
from aliwatch.daemon.alerts.wording import subject


class AppriseMissingError(ImportError):
    """ALIWATCH_APPRISE_URLS is set but apprise is not installed (pip install aliwatch[apprise])."""


def apprise_channels(urls: tuple[SecretStr, ...]) -> list[AppriseChannel]:
    """A channel per URL, so a failing service is retried without resending to the others."""
    if not urls:
        return []
    try:
        import apprise  # noqa: PLC0415 - an optional extra: only loaded when configured
    except ImportError as err:
        raise AppriseMissingError(
            "ALIWATCH_APPRISE_URLS is set but apprise is not installed: "
            "pip install 'aliwatch[apprise]'"
        ) from err
    return [AppriseChannel(apprise, url) for url in urls]


class AppriseChannel:
    """Notifies one service. Its URL holds a token: only the scheme and a short hash of the
    URL (the channel's stable name in the outbox) are ever shown."""

    def __init__(self, module: Any, url: SecretStr) -> None:
        self._apprise = module
        self._url = url
        text = url.get_secret_value()
        self.scheme = text.split("://", 1)[0].lower() if "://" in text else "?"
        self.name = f"apprise:{self.scheme}:{hashlib.sha256(text.encode()).hexdigest()[:8]}"

    def probe(self) -> str:
        """Apprise has no way to reach a service without notifying it: say what is configured."""
        return f"configured, {self.describe()}"

    def describe(self) -> str:
        return f"{self.scheme}://… (Apprise)"

    def abort(self) -> None:
        """Apprise's sends are bounded by its own timeouts; the stop does not wait for them."""

    def send(self, alert: Outgoing) -> None:
        notifier = self._apprise.Apprise()
        if not notifier.add(self._url.get_secret_value()):
            raise ChannelError("not a URL Apprise understands")
        ok = notifier.notify(
            title=subject(alert.decision, alert.zone, alert.now),
            body=alert_text(alert.decision, alert.now, alert.zone),
        )
        if not ok:
            raise ChannelError("the service did not take the alert")
