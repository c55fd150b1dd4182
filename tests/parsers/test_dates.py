"""Sent times and stated deadlines come out as aware UTC datetimes."""

from datetime import UTC, datetime

from aliwatch.parsers.dates import sent_at, stated_deadline


def stated_deadline_l(text: str):
    return stated_deadline(text.lower())


def test_date_header_with_pacific_offset_is_converted_to_utc():
    assert sent_at("Mon, 03 Nov 2025 01:02:03 -0800") == datetime(2025, 11, 3, 9, 2, 3, tzinfo=UTC)


def test_broken_date_header_gives_none():
    assert sent_at("yesterday-ish") is None


def test_minus_zero_zone_means_utc():
    assert sent_at("Mon, 03 Nov 2025 01:02:03 -0000") == datetime(2025, 11, 3, 1, 2, 3, tzinfo=UTC)


def test_deadline_with_pst_is_honoured():
    got = stated_deadline_l("Please respond before Dec 3, 2026 23:59 PST.")
    assert got == datetime(2026, 12, 4, 7, 59, tzinfo=UTC)


def test_deadline_with_pdt_is_honoured():
    got = stated_deadline_l("Respond by 2026-07-01 10:00 PDT")
    assert got == datetime(2026, 7, 1, 17, 0, tzinfo=UTC)


def test_deadline_without_zone_is_read_in_pacific_time_with_dst():
    summer = stated_deadline_l("respond before 2026-07-01 10:00")
    winter = stated_deadline_l("respond before 2026-12-01 10:00")
    assert summer == datetime(2026, 7, 1, 17, 0, tzinfo=UTC)
    assert winter == datetime(2026, 12, 1, 18, 0, tzinfo=UTC)


def test_deadline_without_time_means_end_of_day():
    got = stated_deadline_l("Bitte antworten Sie bis 03.12.2026 (UTC)")
    assert got == datetime(2026, 12, 3, 23, 59, 59, tzinfo=UTC)


def test_explicit_offset_is_honoured():
    got = stated_deadline_l("до 3 декабря 2026 12:00 (GMT+3)")
    assert got == datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def test_delivery_estimate_is_not_a_deadline():
    assert stated_deadline_l("Estimated delivery by 30/08/2024") is None
    assert stated_deadline_l("Voraussichtliche Zustellzeit 30/08/2024") is None


def test_date_without_deadline_word_is_not_a_deadline():
    assert stated_deadline_l("Order placed on 2026-11-01 10:00 PST") is None


def test_impossible_date_is_ignored():
    assert stated_deadline_l("respond before 31.02.2026") is None


def test_time_before_the_date_is_understood():
    got = stated_deadline_l("Please respond by 23:59 PST on Dec 3, 2026.")
    assert got == datetime(2026, 12, 4, 7, 59, tzinfo=UTC)


def test_twelve_hour_clock():
    got = stated_deadline_l("until Dec 3, 2026, 11:59 PM PST")
    assert got == datetime(2026, 12, 4, 7, 59, tzinfo=UTC)


def test_polish_bare_do_announces_a_deadline():
    got = stated_deadline_l("potwierdź dane karty do 10.12.2025")
    assert got == datetime(2025, 12, 11, 7, 59, 59, tzinfo=UTC)
