"""AliExpress identity: every relay undone, every mark found; never authenticity."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aliwatch.parsers.identity import addresses_in, identify
from aliwatch.parsers.senders import SenderClass, classify, undo_relay

NOTICE = "transaction@notice.aliexpress.com"


@pytest.mark.parametrize(
    ("relayed", "relay"),
    [
        (
            "transaction_at_notice_aliexpress_com_0a1b2c3d4e_0a1b2c3d@privaterelay.appleid.com",
            "apple",
        ),
        ("transaction_at_notice_aliexpress_com_ab12cd34@privaterelay.appleid.com", "apple"),
        ("transaction_at_notice_aliexpress_com_a_b_c_d@privaterelay.appleid.com", "apple"),
        ("transaction_at_notice_aliexpress_com_kjmacx@simplelogin.co", "simplelogin"),
        ("transaction_at_notice.aliexpress.com_myalias@duck.com", "duckduckgo"),
        ("shop+transaction=notice.aliexpress.com@anonaddy.me", "addy"),
        ("transaction_at_notice_aliexpress_com_x1y2@relay.mydomain.example", "alias"),
    ],
)
def test_relays_that_encode_the_sender_are_undone(relayed, relay):
    assert undo_relay(relayed) == (NOTICE, relay)
    sender = classify(relayed)
    assert (sender.address, sender.cls, sender.relayed) == (NOTICE, SenderClass.NOTICE, True)


def test_marketing_through_a_relay_stays_marketing():
    sender = classify("deals_at_deals_aliexpress_com_0a1b2c3d4e_0a1b2c3d@privaterelay.appleid.com")
    assert sender.cls is SenderClass.MARKETING


@pytest.mark.parametrize(
    "address",
    [
        "news_at_shop_example_com_ab12cd34@privaterelay.appleid.com",
        "transaction@notice.aliexpress.com.evil.example",
        "shop+transaction=fakealiexpress.com@anonaddy.me",
    ],
)
def test_lookalikes_are_not_aliexpress(address):
    assert classify(address).cls is SenderClass.OTHER or classify(address).address != NOTICE


def test_the_display_name_of_firefox_relay_and_simplelogin_names_the_sender():
    firefox = identify(
        "ab12cd34e@mozmail.com",
        "AliExpress <transaction@notice.aliexpress.com> [via Relay]",
        (),
        "",
    )
    assert (firefox.is_aliexpress, firefox.relay, firefox.sender.address) == (
        True,
        "firefox",
        NOTICE,
    )
    simplelogin = identify(
        "ra+abcdef@simplelogin.co", "AliExpress - transaction at notice.aliexpress.com", (), ""
    )
    assert (simplelogin.relay, simplelogin.sender.address) == ("simplelogin", NOTICE)


def test_a_relay_header_names_the_sender_when_from_does_not():
    found = identify(
        "ra+abcdef@simplelogin.co",
        "",
        (("x-simplelogin-original-from", f"AliExpress <{NOTICE}>"),),
        "",
    )
    assert found.is_aliexpress and found.relay == "x-simplelogin-original-from"


def test_header_marks_make_it_aliexpress_mail_but_the_sender_stays_what_from_says():
    found = identify(
        "noreply@mailer.example",
        "",
        (
            ("message-id", "<123.456@notice.aliexpress.com>"),
            ("dkim-signature", "v=1; a=rsa-sha256; d=notice.aliexpress.com; s=sel; b=abc"),
        ),
        "",
    )
    assert found.is_aliexpress
    assert found.sender.address == "noreply@mailer.example"
    assert {m.where for m in found.marks} == {"message-id", "dkim-signature"}


def test_order_links_count_only_behind_a_relay_that_hides_the_sender():
    link = '<a href="https://www.aliexpress.com/p/order/detail.html?orderId=1">'
    assert identify("ra+xyz@simplelogin.co", "", (), link).is_aliexpress
    assert not identify("orders@shop.example", "Shop", (), link).is_aliexpress


def test_nothing_aliexpress_is_not_aliexpress():
    found = identify("noreply@dhl.de", "DHL Paket", (("message-id", "<1@dhl.de>"),), "")
    assert not found.is_aliexpress and not found.marks


_REGEX_ADDRESS = re.compile(r"[\w.+=-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)


@given(st.text("ab.@ -_+é", max_size=60))
def test_addresses_are_found_as_a_regex_finds_them_but_in_linear_time(text):
    # The regex is the definition; addresses_in works outwards from each "@" so that a long
    # hostile word costs linear time (the regex alone was quadratic).
    assert addresses_in(text) == [m.group(0).lower() for m in _REGEX_ADDRESS.finditer(text)]
