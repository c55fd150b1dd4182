"""The list of event kinds and parcel stages is a public contract: it only ever grows."""

from aliwatch.parsers import KINDS, STAGES
from aliwatch.parsers.rows import TABLE


def test_kinds_are_pinned():
    assert KINDS == (
        "order_placed",
        "order_confirmed",
        "ready_to_ship",
        "order_shipped",
        "parcel_update",
        "parcel_delivered",
        "awaiting_confirmation",
        "delivery_confirmed",
        "order_closed",
        "cancellation_requested",
        "cancellation_accepted",
        "cancellation_rejected",
        "refund_issued",
        "dispute_opened",
        "seller_proposal",
        "dispute_escalated",
        "dispute_closed",
        "return_required",
        "seller_message",
        "protection_extended",
        "promotion",
        "unrecognized",
        "not_aliexpress",
    )


def test_stages_are_pinned():
    pinned = "departed in_transit customs customs_cleared in_country local_carrier out_for_delivery"
    assert tuple(pinned.split()) == STAGES


def test_every_recognisable_kind_has_rows_in_every_supported_language():
    languages = {"en", "de", "es", "pl", "fr", "ru", "pt"}
    by_kind: dict[str, set[str]] = {}
    for row in TABLE:
        by_kind.setdefault(row.kind.value, set()).add(row.language)
    table_kinds = set(KINDS) - {"unrecognized", "not_aliexpress"}
    assert set(by_kind) == table_kinds
    for kind, langs in by_kind.items():
        assert langs >= languages, f"{kind} lacks rows for {languages - langs}"


def test_row_names_are_unique():
    names = [row.name for row in TABLE]
    assert len(names) == len(set(names))


def test_every_row_pattern_compiles():
    # Rows compile on first use (parsers/row.py): a broken pattern must still fail here, not on
    # the first mail that reaches it.
    for row in TABLE:
        assert row.subject_re is not None or row.body_re, row.name
