"""Senders: AliExpress notice, AliExpress marketing, Apple relay, anyone else."""

from aliwatch.parsers.senders import SenderClass, classify


def test_transaction_sender_is_notice():
    assert classify("transaction@notice.aliexpress.com").cls is SenderClass.NOTICE


def test_marketing_subdomain_is_marketing():
    assert classify("promo@deals.aliexpress.com").cls is SenderClass.MARKETING


def test_apple_relay_is_decoded_to_the_original_sender():
    sender = classify("transaction_at_notice_aliexpress_com_ab12cd34@privaterelay.appleid.com")
    assert sender.address == "transaction@notice.aliexpress.com"
    assert sender.relayed
    assert sender.cls is SenderClass.NOTICE


def test_relay_of_another_sender_is_other():
    sender = classify("news_at_shop_example_com_ab12cd34@privaterelay.appleid.com")
    assert sender.cls is SenderClass.OTHER


def test_lookalike_domain_is_other():
    assert classify("transaction@notice.aliexpress.com.evil.example").cls is SenderClass.OTHER
    assert classify("transaction@fakealiexpress.com").cls is SenderClass.OTHER


def test_missing_address_is_other():
    assert classify(None).cls is SenderClass.OTHER
