"""What each alert tells the buyer to do, after docs/aliexpress-mail.md."""

from __future__ import annotations

from aliwatch.parsers.event import Kind
from aliwatch.rules.deadlines import Rule

# Headlines say what happened; advice says what to do. Sources: the buyer reports,
# help-centre copy and the Megabonus guides quoted in docs/aliexpress-mail.md.
HEADLINE: dict[str, str] = {
    Rule.PROPOSAL: "The seller made a proposal in your dispute",
    Rule.PROTECTION: "Buyer protection for this order is running out",
    Rule.DISPUTE_WINDOW: "The window to open a dispute is closing",
    Rule.CANCEL_DECISION: "The seller has not decided your cancellation request",
    Rule.SELLER_REPLY: "The seller has not answered your dispute",
    Rule.SHIPPING: "The order was confirmed but has not shipped",
    Rule.STALLED: "The parcel has had no tracking update for a long time",
    Rule.REFUND: "A promised refund has not arrived",
    Rule.RETURN: "The seller asked you to return the item",
    Rule.QUIET: "Your dispute has had no news for days",
    "awaiting_confirmation": "The order will soon be marked completed",
    "attention": "An AliExpress mail about a dispute, refund or return was not recognised",
    "pressure": "The seller is pushing you to close the dispute or pay outside AliExpress",
    "unverified": "A mail claims to be from AliExpress but could not be verified",
    "suspicious": "A suspicious mail claims things about many orders at once",
}

ADVICE: dict[str, str] = {
    Rule.PROPOSAL: (
        "Answer the proposal on the dispute page before the deadline, or the dispute closes in "
        "the seller's favour. Check the proposed amount against what you paid. If it is not "
        "acceptable, reject it at once so AliExpress steps in; attach photos, video and "
        "tracking screenshots."
    ),
    Rule.PROTECTION: (
        "If the parcel has not arrived or is not as described, ask the seller to extend the "
        "protection (5-7 days before the end) or open a dispute now, while at least 15 days "
        "remain."
    ),
    Rule.DISPUTE_WINDOW: (
        "If anything is missing or wrong, open a dispute before the window closes; attach "
        "photos, video and tracking screenshots."
    ),
    Rule.CANCEL_DECISION: (
        "Check the order page. If the seller ignores the request, contact them inside "
        "AliExpress or open a dispute once the order ships or the protection runs low."
    ),
    Rule.SELLER_REPLY: (
        "Check whether the refund came. If it did not, escalate the dispute so AliExpress decides."
    ),
    Rule.SHIPPING: (
        "Ask the seller on the order page when it ships; you can cancel an order that has not "
        "shipped."
    ),
    Rule.STALLED: (
        "Look at the tracking on the order page. If it stays still, ask the seller and "
        "consider a dispute before the protection ends."
    ),
    Rule.REFUND: (
        "Check your payment method's statement and the order page; contact AliExpress support "
        "if the refund is not listed."
    ),
    Rule.RETURN: (
        "Ship the return by the date on the dispute page, to the address shown there, with "
        "tracking; you may have to pay the return postage. Photograph the item and the parcel "
        "before you send it and keep the return tracking number. Do not close the dispute "
        "until the refund has arrived."
    ),
    Rule.QUIET: (
        "Open the dispute page: answer any message, add evidence (photos, video, tracking "
        "screenshots), or escalate the dispute so AliExpress decides. A proposal mail can get "
        "lost; the dispute can close without you."
    ),
    "awaiting_confirmation": (
        "If you have not received the parcel or it is not as described, open a dispute now: "
        "once the order is completed, only 15 days remain."
    ),
    "attention": "Open the mail and the order page now and read it yourself.",
    "pressure": (
        "Never close a dispute for a promise, never confirm receipt early and never pay "
        "outside AliExpress. Keep all talk inside the dispute."
    ),
    "unverified": (
        "Do not act on the mail itself: open the order page on aliexpress.com directly and "
        "check what it says."
    ),
    "suspicious": (
        "It was not turned into orders or alerts. Do not act on the mail: it is most likely "
        "a forgery. Check your orders on aliexpress.com directly."
    ),
}

# What an unverified mail of each kind claims, for its warning ("Unverified mail claims the
# seller made a proposal in your dispute: ..."). Kinds not listed (tracking scans, order
# confirmations) ask nothing of the buyer and raise no warning.
CLAIM: dict[Kind, str] = {
    Kind.SELLER_PROPOSAL: HEADLINE[Rule.PROPOSAL],
    Kind.RETURN_REQUIRED: HEADLINE[Rule.RETURN],
    Kind.AWAITING_CONFIRMATION: HEADLINE["awaiting_confirmation"],
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

# The rule a claim stands for, where one exists: its urgency, and `ack --rule`.
CLAIM_RULE: dict[Kind, str] = {
    Kind.SELLER_PROPOSAL: Rule.PROPOSAL,
    Kind.RETURN_REQUIRED: Rule.RETURN,
    Kind.AWAITING_CONFIRMATION: "awaiting_confirmation",
}
