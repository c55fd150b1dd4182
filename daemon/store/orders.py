"""Reading orders back: their events, their state, their parcels."""

from __future__ import annotations

from datetime import datetime

from aliwatch.daemon.store.base import Connected
from aliwatch.daemon.store.codec import text_event, text_time
from aliwatch.parsers.event import Event, Kind
from aliwatch.rules.state import OrderState, fold

# An order's events: those naming it, and those naming none but one of its parcels (a carrier
# scan that only gives the tracking number).
_EVENTS_OF = """
    SELECT e.id, e.event, e.sent_at FROM events e
    JOIN event_orders eo ON eo.event_id = e.id AND eo.order_id = :order
    UNION
    SELECT e.id, e.event, e.sent_at FROM events e
    JOIN parcel_orders po ON po.parcel_id = e.parcel_id AND po.order_id = :order
    WHERE NOT EXISTS (SELECT 1 FROM event_orders eo WHERE eo.event_id = e.id)
    ORDER BY 3, 1
"""


class Orders(Connected):
    """Orders as the stored events tell them."""

    def order_ids(self) -> list[str]:
        """Every order any stored event named, in id order."""
        return [row[0] for row in self._read("SELECT order_id FROM orders ORDER BY order_id")]

    def events_of(self, order_id: str) -> list[tuple[Event, datetime]]:
        """The order's events with the time each was sent, oldest first."""
        rows = self._read(_EVENTS_OF, {"order": order_id})
        return [(text_event(row[1]), text_time(row[2])) for row in rows]

    def order_state(self, order_id: str) -> OrderState:
        """The order's state folded from its stored events (empty for an unknown order)."""
        return fold(order_id, self.events_of(order_id))

    def attention_events(self) -> list[tuple[Event, datetime]]:
        """Unrecognised AliExpress mail flagged for attention, oldest first, order or not."""
        rows = self._read(
            "SELECT event, sent_at FROM events WHERE kind = ? ORDER BY sent_at, id",
            (Kind.UNRECOGNIZED.value,),
        )
        found = [(text_event(row[0]), text_time(row[1])) for row in rows]
        return [(event, when) for event, when in found if event.attention]

    def flooding_events(self, limit: int) -> list[tuple[Event, datetime]]:
        """Events naming more than `limit` orders (linked to none of them), oldest first."""
        rows = self._read(
            "SELECT event, sent_at FROM events"
            " WHERE json_array_length(event, '$.order_ids') > ? ORDER BY sent_at, id",
            (limit,),
        )
        return [(text_event(row[0]), text_time(row[1])) for row in rows]
