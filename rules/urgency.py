"""When an alert is urgent: the one answer quiet hours, snoozes, the noise limit, the desktop's
urgency and the alert's subject all use."""

from __future__ import annotations

from datetime import datetime, timedelta

from aliwatch.rules.alerts import COPY, AlertKind

# A deadline this close is urgent (docs/aliexpress-mail.md, "Timing rules": a proposal left
# unanswered closes the dispute for the seller, so it is urgent whatever its date).
URGENT_WITHIN = timedelta(hours=24)
# Alerts urgent whatever their date, as the vocabulary marks them (rules/alerts.py `urgent`):
# good news (watching again) and the test alert `check` sends at once are not.
ALWAYS_URGENT = frozenset(kind for kind, copy in COPY.items() if copy.urgent)


def is_urgent(rule: AlertKind | str, due: datetime | None, now: datetime) -> bool:
    """Whether an alert of `rule` due at `due` is urgent at `now`.

    `rule` may be the kind of event an unverified mail claims (not an alert kind): never urgent
    by itself.

    A deadline already passed is not: the checks that fire once it passed (the seller's
    silence, a parcel stalled) can wait for the end of the quiet hours.
    """
    if rule in ALWAYS_URGENT:
        return True
    return due is not None and now <= due <= now + URGENT_WITHIN
