"""Which Authentication-Results headers make a mail authentic (RFC 8601)."""

from aliwatch.parsers.authenticity import is_authentic

GOOD_HEADER = "mx.example.net; dkim=pass header.d=notice.aliexpress.com header.s=s1; spf=pass"
FAIL = "mx.example.net; dkim=fail header.d=notice.aliexpress.com"
NONE = "mx.example.net; dkim=none"
FORGED_BELOW = "mx.attacker.example; dkim=pass header.d=aliexpress.com"
NONE_SET: frozenset[str] = frozenset()


def test_topmost_dkim_pass_for_aliexpress_is_authentic():
    assert is_authentic([GOOD_HEADER], NONE_SET, relayed=False)


def test_dkim_fail_is_not_authentic():
    assert not is_authentic([FAIL], NONE_SET, relayed=False)


def test_pass_for_another_domain_is_not_authentic():
    other = "mx.example.net; dkim=pass header.d=aliexpress-support.example"
    assert not is_authentic([other], NONE_SET, relayed=False)


def test_lookalike_suffix_domain_is_not_authentic():
    other = "mx.example.net; dkim=pass header.d=evilaliexpress.com"
    assert not is_authentic([other], NONE_SET, relayed=False)


def test_only_topmost_header_counts_without_trusted_ids():
    assert not is_authentic([NONE, FORGED_BELOW], NONE_SET, relayed=False)


def test_a_trusted_authserv_id_below_an_untrusted_header_is_not_believed():
    values = ["mx.example.net; dkim=none", "mx.trusted.example; dkim=pass header.d=aliexpress.com"]
    assert not is_authentic(values, frozenset({"mx.trusted.example"}), relayed=False)
    assert is_authentic(values[1:], frozenset({"mx.trusted.example"}), relayed=False)


def test_untrusted_authserv_id_is_ignored_even_when_topmost():
    assert not is_authentic([GOOD_HEADER], frozenset({"mx.trusted.example"}), relayed=False)


def test_header_i_identity_counts_like_header_d():
    value = "mx.example.net; dkim=pass header.i=@notice.aliexpress.com"
    assert is_authentic([value], NONE_SET, relayed=False)


def test_malformed_header_proves_nothing():
    assert not is_authentic(["; ; dkim=pass header.d=aliexpress.com ((("], NONE_SET, relayed=False)


def test_apple_relay_pass_vouches_for_relay_header_below():
    top = "mx.example.net; dkim=pass header.d=privaterelay.appleid.com"
    apple = "relay.mail.icloud.com; dkim=pass header.d=notice.aliexpress.com"
    assert is_authentic([top, apple], NONE_SET, relayed=True)


def test_apple_relay_pass_alone_is_not_enough():
    top = "mx.example.net; dkim=pass header.d=privaterelay.appleid.com"
    assert not is_authentic([top, FORGED_BELOW], NONE_SET, relayed=True)


def test_unparseable_topmost_header_does_not_promote_the_one_below():
    # The sender controls every header under the provider's; an odd topmost one must not let
    # the next one speak for the provider.
    odd_topmost = "mx.example.net; ((( dkim=none"
    assert not is_authentic([odd_topmost, FORGED_BELOW], NONE_SET, relayed=False)


def test_semicolon_inside_a_comment_does_not_split_a_result():
    value = (
        "mx.example.net; spf=pass (a; b) smtp.mailfrom=x;"
        " dkim=pass (ok; ok) header.d=aliexpress.com"
    )
    assert is_authentic([value], NONE_SET, relayed=False)


def test_exchange_online_header_without_authserv_id_counts_when_topmost():
    value = (
        "spf=pass (sender IP is 203.0.113.9) smtp.mailfrom=notice.aliexpress.com;"
        " dkim=pass (signature was verified) header.d=notice.aliexpress.com;dmarc=pass"
    )
    assert is_authentic([value], NONE_SET, relayed=False)
    assert not is_authentic([value], frozenset({"spf=pass"}), relayed=False)
