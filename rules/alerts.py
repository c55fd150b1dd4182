"""Every kind of alert and its words: one vocabulary for every channel, the calendar and the CLI.

Headlines say what happened, actions what to do by when (a subject, a notification's title, a
calendar event's summary), advice how. Sources: the buyer reports, help-centre copy and the
Megabonus guides quoted in docs/aliexpress-mail.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from aliwatch.parsers.event import Kind


class AlertKind(StrEnum):
    """Every alert aliwatch raises; stored with each alert and named by `ack --rule`, so stable."""

    # The deadline rules (DEADLINE_RULES below).
    PROPOSAL = "proposal_waiting"
    PROTECTION = "protection_ending"
    DISPUTE_WINDOW = "dispute_window"
    CANCEL_DECISION = "cancellation_undecided"
    SELLER_REPLY = "seller_silent"
    SHIPPING = "not_shipped"
    STALLED = "parcel_stalled"
    REFUND = "refund_missing"
    RETURN = "return_due"
    QUIET = "dispute_quiet"
    # Raised by a mail, not by a date (rules/decide.py, daemon/alerts/evaluate.py).
    AWAITING_CONFIRMATION = "awaiting_confirmation"
    ATTENTION = "attention"
    PRESSURE = "pressure"
    UNVERIFIED = "unverified"
    SUSPICIOUS = "suspicious"
    # aliwatch's own, about no order (daemon/alerts/housekeeping.py, `check --send-test-alert`).
    LOGIN_REFUSED = "login_refused"
    REPLY_UNUSABLE = "reply_unusable"
    STORE_DAMAGED = "store_damaged"
    STALE = "stale"
    RECOVERED = "recovered"
    DIGEST = "digest"
    DRIFT = "drift"
    TEST = "test"

    @property
    def about_an_order(self) -> bool:
        """Whether alerts of this kind name an order (so `ack --rule` can silence them)."""
        return self not in _OWN


_OWN = frozenset(
    {
        AlertKind.LOGIN_REFUSED,
        AlertKind.REPLY_UNUSABLE,
        AlertKind.STORE_DAMAGED,
        AlertKind.STALE,
        AlertKind.RECOVERED,
        AlertKind.DIGEST,
        AlertKind.DRIFT,
        AlertKind.TEST,
    }
)
# The alerts a date raises (rules/deadlines.py), in the order the calendar lists them.
DEADLINE_RULES: tuple[AlertKind, ...] = (
    AlertKind.PROPOSAL,
    AlertKind.PROTECTION,
    AlertKind.DISPUTE_WINDOW,
    AlertKind.CANCEL_DECISION,
    AlertKind.SELLER_REPLY,
    AlertKind.SHIPPING,
    AlertKind.STALLED,
    AlertKind.REFUND,
    AlertKind.RETURN,
    AlertKind.QUIET,
)
# What `ack --rule` accepts, in the order `--help` lists them.
ORDER_ALERTS: tuple[AlertKind, ...] = tuple(k for k in AlertKind if k.about_an_order)


@dataclass(frozen=True, slots=True)
class Copy:
    """An alert's words; `{name}` fields are filled by the code that raises it."""

    headline: str
    action: str
    advice: str
    # Urgent whatever its date (rules/urgency.py): a proposal waiting, a return to ship, mail
    # about a dispute that was not recognised, aliwatch unable to watch the mailbox.
    urgent: bool = False


COPY: dict[AlertKind, Copy] = {
    AlertKind.PROPOSAL: Copy(
        "The seller made a proposal in your dispute",
        "Answer the seller's proposal",
        "Answer the proposal on the dispute page before the deadline, or the dispute closes in "
        "the seller's favour. Check the proposed amount against what you paid. If it is not "
        "acceptable, reject it at once so AliExpress steps in; attach photos, video and "
        "tracking screenshots.",
        urgent=True,
    ),
    AlertKind.PROTECTION: Copy(
        "Buyer protection for this order is running out",
        "Act before buyer protection ends",
        "If the parcel has not arrived or is not as described, ask the seller to extend the "
        "protection (5-7 days before the end) or open a dispute now, while at least 15 days "
        "remain.",
    ),
    AlertKind.DISPUTE_WINDOW: Copy(
        "The window to open a dispute is closing",
        "Open a dispute if anything is wrong",
        "If anything is missing or wrong, open a dispute before the window closes; attach "
        "photos, video and tracking screenshots.",
    ),
    AlertKind.CANCEL_DECISION: Copy(
        "The seller has not decided your cancellation request",
        "Check your cancellation request",
        "Check the order page. If the seller ignores the request, contact them inside "
        "AliExpress or open a dispute once the order ships or the protection runs low.",
    ),
    AlertKind.SELLER_REPLY: Copy(
        "The seller has not answered your dispute",
        "Escalate the dispute if no refund came",
        "Check whether the refund came. If it did not, escalate the dispute so AliExpress decides.",
    ),
    AlertKind.SHIPPING: Copy(
        "The order was confirmed but has not shipped",
        "Ask the seller when the order ships",
        "Ask the seller on the order page when it ships; you can cancel an order that has not "
        "shipped.",
    ),
    AlertKind.STALLED: Copy(
        "The parcel has had no tracking update for a long time",
        "Check the stalled parcel",
        "Look at the tracking on the order page. If it stays still, ask the seller and "
        "consider a dispute before the protection ends.",
    ),
    AlertKind.REFUND: Copy(
        "A promised refund has not arrived",
        "Check the missing refund",
        "Check your payment method's statement and the order page; contact AliExpress support "
        "if the refund is not listed.",
    ),
    AlertKind.RETURN: Copy(
        "The seller asked you to return the item",
        "Ship the return the seller asked for",
        "Ship the return by the date on the dispute page, to the address shown there, with "
        "tracking; you may have to pay the return postage. Photograph the item and the parcel "
        "before you send it and keep the return tracking number. Do not close the dispute "
        "until the refund has arrived.",
        urgent=True,
    ),
    AlertKind.QUIET: Copy(
        "Your dispute has had no news for days",
        "Look at your dispute: no news for days",
        "Open the dispute page: answer any message, add evidence (photos, video, tracking "
        "screenshots), or escalate the dispute so AliExpress decides. A proposal mail can get "
        "lost; the dispute can close without you.",
    ),
    AlertKind.AWAITING_CONFIRMATION: Copy(
        "The order will soon be marked completed",
        "Open a dispute before the order completes",
        "If you have not received the parcel or it is not as described, open a dispute now: "
        "once the order is completed, only 15 days remain.",
    ),
    AlertKind.ATTENTION: Copy(
        "An AliExpress mail about a dispute, refund or return was not recognised",
        "Read an unrecognised AliExpress mail",
        "Open the mail and the order page now and read it yourself.",
        urgent=True,
    ),
    AlertKind.PRESSURE: Copy(
        "The seller is pushing you to close the dispute or pay outside AliExpress",
        "Do not close the dispute for a promise",
        "Never close a dispute for a promise, never confirm receipt early and never pay "
        "outside AliExpress. Keep all talk inside the dispute.",
    ),
    AlertKind.UNVERIFIED: Copy(
        "A mail claims to be from AliExpress but could not be verified",
        "Check the order page, not the mail",
        "Do not act on the mail itself: open the order page on aliexpress.com directly and "
        "check what it says.",
    ),
    AlertKind.SUSPICIOUS: Copy(
        "A suspicious mail claims things about many orders at once",
        "Do not act on a suspicious mail",
        "It was not turned into orders or alerts. Do not act on the mail: it is most likely "
        "a forgery. Check your orders on aliexpress.com directly.",
    ),
    AlertKind.LOGIN_REFUSED: Copy(
        "aliwatch cannot log in to your mailbox",
        "Fix aliwatch's mailbox login",
        "Check ALIWATCH_IMAP_USER and the password or token settings; aliwatch now retries "
        "every 30 minutes.",
        urgent=True,
    ),
    AlertKind.REPLY_UNUSABLE: Copy(
        "aliwatch cannot read your mail server's answers",
        "aliwatch cannot read your mail server's answers",
        "Your mailbox is reachable, but its answers are not what aliwatch expects ({detail}), "
        "so no new mail is examined. Please report this with the server's name (aliwatch's "
        "log has the details); meanwhile watch your AliExpress mail yourself.",
        urgent=True,
    ),
    AlertKind.STORE_DAMAGED: Copy(
        "aliwatch's database {path} is damaged, so aliwatch has stopped",
        "aliwatch's database is damaged: aliwatch has stopped",
        "Until it is repaired no AliExpress mail is read and no deadline alert is sent: watch "
        "your open disputes yourself meanwhile. {steps}.",
        urgent=True,
    ),
    AlertKind.STALE: Copy(
        "aliwatch has not been able to check your mailbox for {hours} hours",
        "aliwatch cannot check your mailbox",
        "The last successful check was {last}. Until it works again no new AliExpress mail is "
        "seen: check the mailbox settings and aliwatch's log (journalctl -u aliwatch), and "
        "look at your open disputes yourself meanwhile.",
        urgent=True,
    ),
    AlertKind.RECOVERED: Copy(
        "aliwatch is checking your mailbox again",
        "aliwatch checks your mailbox again",
        "The last check before the outage was {last}. Mail that arrived meanwhile has been "
        "read now; any alerts it raised follow.",
    ),
    AlertKind.DIGEST: Copy(
        "aliwatch digest: {count} open order(s)",
        "Your AliExpress orders today",
        "\n{table}",
    ),
    AlertKind.DRIFT: Copy(
        "AliExpress mail is no longer recognised: a template probably changed",
        "AliExpress mail is no longer recognised",
        '{count} recent AliExpress mails shaped "{shape}" were not recognised, the latest sent '
        "{latest}, so aliwatch cannot warn you about what they say. Read them yourself "
        "meanwhile, list them with `aliwatch unknown`, and teach aliwatch the new template in "
        "a few minutes as CONTRIBUTING.md shows (aliwatch anonymize, a fixture, a row).",
    ),
    AlertKind.TEST: Copy(
        "aliwatch test alert: this channel works",
        "aliwatch test alert",
        "Nothing to do. Real alerts will arrive here the same way.",
    ),
}

# A verified mail naming that many orders is AliExpress's own (a huge cart), not a forgery.
SUSPICIOUS_BUT_AUTHENTIC = Copy(
    "An AliExpress mail names more orders than aliwatch follows one by one",
    COPY[AlertKind.SUSPICIOUS].action,
    "Check these orders on your orders page on aliexpress.com.",
)

# The headline of a mail's warning when it could not be verified, by what it claims: never an
# instruction to act on the mail, and pressure worded as the phishing it most likely is.
FLAGGED: dict[AlertKind | None, str] = {
    AlertKind.PRESSURE: "Likely phishing: an unverified mail says {said}",
    AlertKind.ATTENTION: "Unverified mail about a dispute, refund or return: check the order page",
    None: "Unverified mail claims {said}: check the order page on aliexpress.com",
}

# What an unverified mail of each kind claims, for its warning ("Unverified mail claims the
# seller made a proposal in your dispute: ..."). Kinds not listed (tracking scans, order
# confirmations) ask nothing of the buyer and raise no warning.
CLAIM: dict[Kind, str] = {
    Kind.SELLER_PROPOSAL: COPY[AlertKind.PROPOSAL].headline,
    Kind.RETURN_REQUIRED: COPY[AlertKind.RETURN].headline,
    Kind.AWAITING_CONFIRMATION: COPY[AlertKind.AWAITING_CONFIRMATION].headline,
    Kind.DISPUTE_OPENED: "A dispute was opened on your order",
    Kind.DISPUTE_ESCALATED: "Your dispute was escalated to AliExpress",
    Kind.DISPUTE_CLOSED: "Your dispute was closed",
    Kind.REFUND_ISSUED: "A refund was issued",
    Kind.CANCELLATION_ACCEPTED: "Your cancellation was accepted",
    Kind.CANCELLATION_REJECTED: "Your cancellation was rejected",
    Kind.ORDER_CLOSED: "Your order was closed",
    Kind.DELIVERY_CONFIRMED: "Receipt of your order was confirmed",
    Kind.PROTECTION_EXTENDED: "Buyer protection for your order was extended",
}
# What an unrecognised mail that could not be verified is said to be about.
ATTENTION_CLAIM = "A mail about a dispute, refund or return, not recognised"

# The alert a claim stands for, where one exists: its urgency, and `ack --rule`.
CLAIM_RULE: dict[Kind, AlertKind] = {
    Kind.SELLER_PROPOSAL: AlertKind.PROPOSAL,
    Kind.RETURN_REQUIRED: AlertKind.RETURN,
    Kind.AWAITING_CONFIRMATION: AlertKind.AWAITING_CONFIRMATION,
}
