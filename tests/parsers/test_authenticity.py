"""Authentication-Results trust: only the provider's own headers at the top, only header.d."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aliwatch.parsers import authenticity
from aliwatch.parsers.authenticity import is_authentic

PROVIDER = "mx.example.net"
TRUSTED = frozenset({PROVIDER})
NONE_SET: frozenset[str] = frozenset()

PASS = f"{PROVIDER}; dkim=pass header.d=notice.aliexpress.com header.s=s1 header.b=Ab12; spf=pass"
FAIL = f"{PROVIDER}; dkim=fail (bad signature) header.d=notice.aliexpress.com; spf=pass"
NO_DKIM = f"{PROVIDER}; spf=pass smtp.mailfrom=transaction@notice.aliexpress.com"
FORGED = f"{PROVIDER}; dkim=pass header.d=notice.aliexpress.com header.s=s1"
UNTRUSTED = "mx.attacker.example; dkim=pass header.d=aliexpress.com"
APPLE_TOP = f"{PROVIDER}; dkim=pass header.d=privaterelay.appleid.com"
APPLE_BELOW = "relay.mail.icloud.com; dkim=pass header.d=notice.aliexpress.com"
EXCHANGE = (
    "spf=pass (sender IP is 203.0.113.9) smtp.mailfrom=notice.aliexpress.com;"
    " dkim=pass (signature was verified) header.d=notice.aliexpress.com;dmarc=pass"
)


def _with_domain(domain: str) -> str:
    return f"{PROVIDER}; dkim=pass header.d={domain} header.s=s1"


def test_a_forged_trusted_header_below_the_providers_is_ignored():
    assert not is_authentic([FAIL, FORGED], TRUSTED, relayed=False)


def test_a_trusted_id_below_an_untrusted_header_is_ignored():
    assert not is_authentic([UNTRUSTED, PASS], TRUSTED, relayed=False)
    assert not is_authentic(["mx.other.example; dkim=none", PASS], TRUSTED, relayed=False)


def test_nothing_counts_when_the_topmost_header_is_not_trusted():
    # Not even a pass for AliExpress in it, nor a provider's id that is only a prefix of its id.
    assert not is_authentic([UNTRUSTED], TRUSTED, relayed=False)
    look_alike_id = f"{PROVIDER}.attacker.example; dkim=pass header.d=aliexpress.com"
    assert not is_authentic([look_alike_id, PASS], TRUSTED, relayed=False)


def test_only_the_topmost_trusted_header_decides_even_when_it_has_no_dkim_result():
    # An unsigned forgery: the provider writes spf and dmarc only; the pass below is the sender's.
    unsigned = (
        f"{PROVIDER}; spf=pass smtp.mailfrom=bounce@evil.example;"
        " dmarc=fail header.from=aliexpress.com"
    )
    assert not is_authentic([unsigned, PASS], TRUSTED, relayed=False)
    assert not is_authentic([NO_DKIM, PASS, FAIL], TRUSTED, relayed=False)
    assert not is_authentic([NO_DKIM, FAIL, FORGED], TRUSTED, relayed=False)
    assert is_authentic([PASS, NO_DKIM], TRUSTED, relayed=False)


def test_a_trusted_block_without_any_dkim_result_is_not_authentic():
    assert not is_authentic([NO_DKIM, NO_DKIM, UNTRUSTED], TRUSTED, relayed=False)


def test_dkim_none_from_the_provider_is_a_verdict_a_header_below_cannot_overrule():
    assert not is_authentic([f"{PROVIDER}; dkim=none", FORGED], TRUSTED, relayed=False)


def test_an_unparseable_provider_header_mentioning_dkim_does_not_promote_the_one_below():
    odd = f"{PROVIDER}; ((( dkim=pass header.d=aliexpress.com"
    assert not is_authentic([odd, FORGED], TRUSTED, relayed=False)


def test_trusted_ids_are_compared_without_case_and_with_a_version():
    assert is_authentic([PASS.replace(PROVIDER, "MX.Example.NET")], TRUSTED, relayed=False)
    assert is_authentic([PASS.replace(PROVIDER, f"{PROVIDER} 1")], TRUSTED, relayed=False)


def test_without_trusted_ids_only_the_topmost_header_counts():
    assert is_authentic([PASS, FAIL], NONE_SET, relayed=False)
    assert not is_authentic([FAIL, FORGED], NONE_SET, relayed=False)


def test_the_apple_relay_header_below_counts_only_when_its_id_is_trusted_too():
    assert is_authentic([APPLE_TOP, APPLE_BELOW], NONE_SET, relayed=True)
    assert not is_authentic([APPLE_TOP, APPLE_BELOW], NONE_SET, relayed=False)
    assert not is_authentic([APPLE_TOP, APPLE_BELOW], TRUSTED, relayed=True)
    apple_ids = TRUSTED | {"relay.mail.icloud.com"}
    assert is_authentic([APPLE_TOP, APPLE_BELOW], apple_ids, relayed=True)
    # Apple's id below a header that is not the provider's is out of the trusted block.
    assert not is_authentic([FAIL.replace(PROVIDER, "mx.other.example"), APPLE_TOP, APPLE_BELOW],
                            apple_ids, relayed=True)  # fmt: skip


def test_header_i_under_aliexpress_does_not_vouch_for_another_header_d():
    value = f"{PROVIDER}; dkim=pass header.i=@aliexpress.com header.d=evil.example"
    assert not is_authentic([value], NONE_SET, relayed=False)
    assert not is_authentic([value], TRUSTED, relayed=False)


def test_header_i_alone_counts_as_gmail_writes_it():
    # Gmail names only the identity; a verifier rejects an i= outside d= (RFC 6376 6.1.1).
    value = f"{PROVIDER}; dkim=pass header.i=@notice.aliexpress.com header.s=s1024"
    assert is_authentic([value], NONE_SET, relayed=False)
    assert is_authentic([value], TRUSTED, relayed=False)
    elsewhere = f"{PROVIDER}; dkim=pass header.i=@evil.example header.s=s1024"
    assert not is_authentic([elsewhere], NONE_SET, relayed=False)


def test_header_d_under_aliexpress_counts_whatever_header_i_says():
    value = f"{PROVIDER}; dkim=pass header.d=aliexpress.com header.i=@evil.example"
    assert is_authentic([value], NONE_SET, relayed=False)
    assert is_authentic([value], TRUSTED, relayed=False)


def test_a_result_naming_two_signing_domains_proves_nothing():
    value = f"{PROVIDER}; dkim=pass header.d=evil.example header.d=aliexpress.com"
    assert not is_authentic([value], NONE_SET, relayed=False)


@pytest.mark.parametrize(
    "domain",
    [
        "aliexpress.com.evil.example",
        "evil-aliexpress.com",
        "evilaliexpress.com",
        "aliexpress-com.example",
        "aliexpress.co",
        "\u0430liexpress.com",  # Cyrillic a
        "notice.\u0430liexpress.com",
        "\uff41liexpress.com",  # fullwidth a
        "xn--liexpress-zyh.com",  # the Cyrillic one's punycode
        "notice.aliexpress.com..",
        "notice..aliexpress.com",
        ".aliexpress.com",
    ],
)
def test_a_look_alike_domain_never_passes(domain):
    assert not is_authentic([_with_domain(domain)], NONE_SET, relayed=False)
    assert not is_authentic([_with_domain(domain)], TRUSTED, relayed=False)


@pytest.mark.parametrize(
    "domain",
    ["aliexpress.com", "notice.aliexpress.com.", "NOTICE.AliExpress.COM", "aliexpress.ru"],
)
def test_the_same_domain_in_another_spelling_passes(domain):
    assert is_authentic([_with_domain(domain)], NONE_SET, relayed=False)
    assert is_authentic([_with_domain(domain)], TRUSTED, relayed=False)


def test_exchange_online_header_without_an_authserv_id_counts_as_the_topmost():
    assert is_authentic([EXCHANGE], NONE_SET, relayed=False)
    assert is_authentic([EXCHANGE, FAIL], NONE_SET, relayed=False)
    assert not is_authentic([FAIL, EXCHANGE], NONE_SET, relayed=False)
    # It has no authserv-id, so no trusted id names it.
    assert not is_authentic([EXCHANGE], TRUSTED, relayed=False)
    assert not is_authentic([EXCHANGE], frozenset({"spf=pass"}), relayed=False)


def test_a_header_without_dkim_pass_is_never_handed_to_the_parser(monkeypatch):
    def refuse(value: str) -> None:
        raise AssertionError(f"parsed {value!r}")

    monkeypatch.setattr(authenticity, "_parse", refuse)
    assert not is_authentic([FAIL, NO_DKIM], TRUSTED, relayed=False)
    assert not is_authentic(
        [NO_DKIM, f"{PROVIDER}; dkim=neutral header.d=x.example"], TRUSTED, relayed=False
    )
    assert not is_authentic([FAIL], NONE_SET, relayed=True)


@dataclass(frozen=True)
class Header:
    """One pool entry and what the oracle knows of it without parsing."""

    value: str
    trusted: bool  # its authserv-id is the provider's
    dkim: str | None  # None: no dkim result; "pass": dkim=pass, header.d under AliExpress's


POOL = [
    # What the provider writes.
    Header(PASS, trusted=True, dkim="pass"),
    Header(FAIL, trusted=True, dkim="fail"),
    Header(NO_DKIM, trusted=True, dkim=None),
    Header(f"{PROVIDER}; none", trusted=True, dkim=None),
    Header(f"{PROVIDER}; dkim=none; spf=pass smtp.mailfrom=a.example", trusted=True, dkim="none"),
    Header(_with_domain("evil.example"), trusted=True, dkim="other"),
    # Forged headers claiming the provider's id.
    Header(FORGED, trusted=True, dkim="pass"),
    Header(_with_domain("ALIEXPRESS.COM."), trusted=True, dkim="pass"),
    Header(
        "MX.EXAMPLE.NET 1; dkim=pass (ok; ok) header.d=aliexpress.ru", trusted=True, dkim="pass"
    ),
    # Gmail's shape: the identity alone stands for the signing domain (RFC 6376 6.1.1).
    Header(f"{PROVIDER}; dkim=pass header.i=@aliexpress.com", trusted=True, dkim="pass"),
    Header(f"{PROVIDER}; dkim=pass header.i=@evil.example", trusted=True, dkim="other"),
    Header(
        f"{PROVIDER}; dkim=pass header.i=@aliexpress.com header.d=evil.example",
        trusted=True,
        dkim="other",
    ),
    Header(_with_domain("aliexpress.com.evil.example"), trusted=True, dkim="other"),
    Header(_with_domain("xn--liexpress-zyh.com"), trusted=True, dkim="other"),
    # Untrusted ids that pass.
    Header(UNTRUSTED, trusted=False, dkim="pass"),
    Header(
        f"{PROVIDER}.attacker.example; dkim=pass header.d=aliexpress.com",
        trusted=False,
        dkim="pass",
    ),
    Header(f"x{PROVIDER}; dkim=pass header.d=aliexpress.com", trusted=False, dkim="pass"),
    Header(EXCHANGE, trusted=False, dkim="pass"),
    Header(APPLE_BELOW, trusted=False, dkim="pass"),
    # Garbage.
    Header("", trusted=False, dkim=None),
    Header("((( ;; dkim=pass header.d=aliexpress.com", trusted=False, dkim="garbage"),
    Header(f"{PROVIDER}; ((( dkim=pass header.d=aliexpress.com", trusted=True, dkim="garbage"),
    Header(f"{PROVIDER}; dkim=pass header.d=aliexpress.com (((", trusted=True, dkim="garbage"),
]


def _oracle(headers: list[Header]) -> bool:
    """The rule, read off the labels: the topmost header is the provider's, and it passes."""
    return bool(headers) and headers[0].trusted and headers[0].dkim == "pass"


@given(st.lists(st.sampled_from(POOL), max_size=6))
def test_authentic_is_the_verdict_of_the_topmost_header_when_trusted(headers):
    values = [h.value for h in headers]
    assert is_authentic(values, TRUSTED, relayed=False) is _oracle(headers)
    assert is_authentic(values, TRUSTED, relayed=True) is _oracle(headers)


FORGERIES = [h for h in POOL if h.value != FAIL]


@given(st.lists(st.sampled_from(POOL), max_size=5), st.data())
def test_no_forged_header_below_the_providers_fail_makes_a_mail_authentic(rest, data):
    values = [FAIL, *(h.value for h in rest)]
    assert not is_authentic(values, TRUSTED, relayed=False)
    forged = data.draw(st.sampled_from(FORGERIES))
    at = data.draw(st.integers(min_value=1, max_value=len(values)))
    values.insert(at, forged.value)
    assert not is_authentic(values, TRUSTED, relayed=False)
    assert not is_authentic(values, TRUSTED, relayed=True)
