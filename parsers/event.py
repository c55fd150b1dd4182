"""The Event: what one mail means, the public contract of `aliwatch parse --json`."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any


class Kind(StrEnum):
    """Every kind of event; the names are a public contract (README)."""

    ORDER_PLACED = "order_placed"
    ORDER_CONFIRMED = "order_confirmed"
    READY_TO_SHIP = "ready_to_ship"
    ORDER_SHIPPED = "order_shipped"
    PARCEL_UPDATE = "parcel_update"
    PARCEL_DELIVERED = "parcel_delivered"
    AWAITING_CONFIRMATION = "awaiting_confirmation"
    DELIVERY_CONFIRMED = "delivery_confirmed"
    ORDER_CLOSED = "order_closed"
    CANCELLATION_REQUESTED = "cancellation_requested"
    CANCELLATION_ACCEPTED = "cancellation_accepted"
    CANCELLATION_REJECTED = "cancellation_rejected"
    REFUND_ISSUED = "refund_issued"
    DISPUTE_OPENED = "dispute_opened"
    SELLER_PROPOSAL = "seller_proposal"
    DISPUTE_ESCALATED = "dispute_escalated"
    DISPUTE_CLOSED = "dispute_closed"
    RETURN_REQUIRED = "return_required"
    SELLER_MESSAGE = "seller_message"
    PROTECTION_EXTENDED = "protection_extended"
    PROMOTION = "promotion"
    UNRECOGNIZED = "unrecognized"
    NOT_ALIEXPRESS = "not_aliexpress"


KINDS: tuple[str, ...] = tuple(k.value for k in Kind)

# Parcel stages, in the order a parcel normally passes them (docs/aliexpress-mail.md).
STAGES: tuple[str, ...] = (
    "departed",
    "in_transit",
    "customs",
    "customs_cleared",
    "in_country",
    "local_carrier",
    "out_for_delivery",
)


@dataclass(frozen=True, slots=True)
class Event:
    """One mail, recognised: times are aware UTC datetimes, amounts Decimals (text only in JSON)."""

    kind: Kind
    order_ids: tuple[str, ...] = ()
    parcel_id: str | None = None
    stage: str | None = None
    partial: bool = False
    amount: Decimal | None = None
    currency: str | None = None
    deadline: datetime | None = None
    # When the mail states a period ("you have 15 days to open a dispute") rather than a date:
    # its length; `deadline` is then the mail's date plus that many days.
    deadline_window_days: int | None = None
    language: str | None = None
    message_id: str | None = None
    sent_at: datetime | None = None
    authentic: bool = False
    forwarded: bool = False
    attention: bool = False
    # A seller pushing the buyer to close a dispute, confirm receipt early or pay outside
    # AliExpress (docs/aliexpress-mail.md, "What buyers lose money to"); rules warn of a scam.
    pressure: bool = False
    # Additions beyond the contract, to help users read and extend the recogniser.
    subject: str | None = None
    sender: str | None = None
    template: str | None = None

    def __post_init__(self) -> None:
        """Refuse what `to_json` could not write as the contract's text, and hold times in UTC."""
        if self.amount is not None and not isinstance(self.amount, Decimal):
            raise TypeError(f"amount must be a Decimal, not {type(self.amount).__name__}")
        for name in ("deadline", "sent_at"):
            when = getattr(self, name)
            if when is None:
                continue
            if not isinstance(when, datetime):
                raise TypeError(f"{name} must be a datetime, not {type(when).__name__}")
            if when.utcoffset() is None:
                raise ValueError(f"{name} {when.isoformat()} is naive: an event's times are aware")
            if when.tzinfo is not UTC:
                # A frozen dataclass sets its own fields through object.__setattr__ (Python's
                # dataclasses documentation, "Frozen instances").
                object.__setattr__(self, name, when.astimezone(UTC))

    def to_json(self) -> dict[str, Any]:
        """Return the JSON-ready mapping (lists, not tuples; kind, times and amount as strings)."""
        # Not dataclasses.asdict: its recursive deep copy was a tenth of `aliwatch parse`'s time.
        data = {name: getattr(self, name) for name in _FIELDS}
        data["kind"] = self.kind.value
        data["order_ids"] = list(self.order_ids)
        data["amount"] = None if self.amount is None else amount_text(self.amount)
        data["deadline"] = None if self.deadline is None else utc_text(self.deadline)
        data["sent_at"] = None if self.sent_at is None else utc_text(self.sent_at)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Event:
        """The event `to_json` gave (unknown keys, such as `file`, ignored); ValueError if bad."""
        known = {name: data[name] for name in _FIELDS if name in data}
        known["kind"] = Kind(data["kind"])
        known["order_ids"] = tuple(data.get("order_ids") or ())
        for name in ("deadline", "sent_at"):
            if known.get(name) is not None:
                known[name] = datetime.fromisoformat(known[name])
        if known.get("amount") is not None:
            try:
                known["amount"] = Decimal(known["amount"])
            except InvalidOperation as err:
                raise ValueError(f"amount {known['amount']!r} is not a decimal") from err
        return cls(**known)


def utc_text(when: datetime) -> str:
    """`when` as `aliwatch parse --json` writes times (README): ISO 8601 in UTC, "Z" for +00:00."""
    return when.astimezone(UTC).isoformat().replace("+00:00", "Z")


def amount_text(amount: Decimal) -> str:
    """`amount` as `aliwatch parse --json` writes it (README): the digits read, 12.50 as "12.50"."""
    return str(amount)


_FIELDS = tuple(f.name for f in fields(Event))
