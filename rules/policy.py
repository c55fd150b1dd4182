"""The timing rules' numbers (docs/aliexpress-mail.md, "Timing rules"); every one configurable."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True, slots=True)
class Policy:
    """Defaults follow docs/aliexpress-mail.md; a date stated in a mail always wins."""

    protection_days: int = 90  # from shipment, when no mail states the end
    dispute_window_days: int = 15  # after protection stops / receipt confirmed / completed
    cancel_decision_days: int = 9  # buyer reports: "now 9 days, was 4"; help copy: 48-72 h
    seller_reply_days: int = 5  # help copy; else the refund should come automatically
    shipping_days: int = 7  # seller's shipping window after confirmation
    stall_days: int = 20  # a parcel with no scan for this long has stalled
    refund_days: int = 20  # "3-20 business days" for a promised refund to arrive
    return_days: int = 10  # to ship a return the seller asked for (seller rules, FAQ)
    dispute_quiet_days: int = 3  # a dispute with no mail this long is looked at
    proposal_reminder: timedelta = timedelta(days=1)  # when a proposal states no deadline
    remind_before: tuple[timedelta, ...] = (
        timedelta(days=7),
        timedelta(days=3),
        timedelta(days=1),
        timedelta(hours=6),
    )
