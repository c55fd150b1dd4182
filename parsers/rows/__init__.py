"""The recognition table: every kind's rows, in the order they are tried (narrowest first)."""

import dataclasses
from collections import Counter

from aliwatch.parsers.row import Row
from aliwatch.parsers.rows import (
    awaiting_confirmation,
    cancellation,
    delivery_confirmed,
    dispute,
    order_closed,
    order_confirmed,
    order_placed,
    order_shipped,
    parcel_delivered,
    parcel_update,
    promotion,
    protection_extended,
    ready_to_ship,
    refund_issued,
    seller_message,
)

# Disputes and money first: a mis-read there costs the buyer most, and their subjects can quote
# an order status ("dispute closed ... order shipped"). Parcel rows before order rows: a parcel
# subject never carries an order number, an order subject can mention a package.
_ORDERED: tuple[Row, ...] = (
    *dispute.ROWS,
    *cancellation.ROWS,
    *refund_issued.ROWS,
    *protection_extended.ROWS,
    *seller_message.ROWS,
    *awaiting_confirmation.ROWS,
    *delivery_confirmed.ROWS,
    *order_closed.ROWS,
    *parcel_delivered.ROWS,
    *parcel_update.ROWS,
    *order_shipped.ROWS,
    *ready_to_ship.ROWS,
    *order_confirmed.ROWS,
    *order_placed.ROWS,
    *promotion.ROWS,
)


def _named(rows: tuple[Row, ...]) -> tuple[Row, ...]:
    """Give every row a stable unique name, kind/language/n, shown as an event's `template`."""
    seen: Counter[tuple[str, str]] = Counter()
    named = []
    for row in rows:
        seen[(row.kind.value, row.language)] += 1
        name = f"{row.kind.value}/{row.language}/{seen[(row.kind.value, row.language)]}"
        named.append(dataclasses.replace(row, name=name))
    return tuple(named)


TABLE: tuple[Row, ...] = _named(_ORDERED)
