"""Whether a mail provably comes from AliExpress, read from Authentication-Results (RFC 8601)."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence

import authres

from aliwatch.parsers.senders import ALIEXPRESS_DOMAINS, APPLE_RELAY_DOMAIN

# Apple's relay checks the original signature before it rewrites the sender; its own
# Authentication-Results carry an authserv-id under one of these domains.
_APPLE_AUTHSERV = ("apple.com", "icloud.com", "me.com")
_DKIM_PASS = re.compile(r"dkim\s*=\s*pass\b", re.IGNORECASE)
_NO_AUTHSERV_ID = "authserv-id.invalid"
_SIGNATURE = re.compile(r"\bheader\.b\s*=\s*[^\s;()]*", re.IGNORECASE)
_AUTHSERV = re.compile(r"\s*([^\s;()]+)")
# A host name: dot-separated LDH labels of up to 63 characters (RFC 1123 section 2.1).
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_HOSTNAME = re.compile(rf"{_LABEL}(?:\.{_LABEL})*")


def _under(domain: str, parents: Iterable[str]) -> bool:
    """Is `domain` one of `parents` or a sub-domain of one, compared as ASCII host names?"""
    # ASCII only before lower(): a homograph (Cyrillic "а") or a character that lowers to ASCII
    # (the Kelvin sign) is another name; its punycode form is another name too. One trailing dot
    # is the root (RFC 1034 section 3.1), anything else that is not a host name proves nothing.
    if not domain.isascii():
        return False
    domain = domain.lower()
    domain = domain[:-1] if domain.endswith(".") else domain
    if not _HOSTNAME.fullmatch(domain):
        return False
    return any(domain == p or domain.endswith("." + p) for p in parents)


def _parse(value: str) -> authres.AuthenticationResultsHeader | None:
    try:
        return authres.AuthenticationResultsHeader.parse("Authentication-Results: " + value)
    except (authres.AuthResError, ValueError, IndexError, AttributeError, TypeError):
        # Hostile or malformed header: it proves nothing.
        return None


def _dkim_pass_domains(header: authres.AuthenticationResultsHeader) -> list[str]:
    """The signing domain of each dkim=pass result: header.d, else header.i's domain."""
    # header.d is the domain whose key verified (RFC 6376 section 3.5, d=); a result naming two
    # names none. Gmail writes only header.i, the identity signed for: a verifier must reject a
    # signature whose i= is not d= or under it (RFC 6376 section 6.1.1), so without header.d
    # the identity's domain stands for it. With header.d, header.i is never read.
    domains = []
    for result in header.results:
        if str(result.method).lower() != "dkim" or str(result.result).lower() != "pass":
            continue
        named: dict[str, set[str]] = {"d": set(), "i": set()}
        for prop in result.properties:
            name = str(prop.name).lower()
            if str(prop.type).lower() == "header" and name in named:
                named[name].add(str(prop.value).rpartition("@")[2])
        signers = named["d"] or named["i"]
        if len(signers) == 1:
            domains.append(signers.pop())
    return domains


def _segments(value: str) -> list[str]:
    """Split on top-level ';' (not inside comments or quoted strings, RFC 8601 section 2.2)."""
    if "(" not in value and '"' not in value:
        return value.split(";")
    parts, depth, quoted, start = [], 0, False, 0
    for i, char in enumerate(value):
        if char == '"' and depth == 0:
            quoted = not quoted
        elif not quoted and char == "(":
            depth += 1
        elif not quoted and char == ")" and depth:
            depth -= 1
        elif not quoted and depth == 0 and char == ";":
            parts.append(value[start:i])
            start = i + 1
    parts.append(value[start:])
    return parts


def _pass_domains(value: str) -> tuple[str, ...]:
    """Domains with dkim=pass in one header value; () without parsing when none can be there."""
    if not _DKIM_PASS.search(value):
        return ()
    # The signature fragment (header.b, RFC 6008) differs in every mail and says nothing about
    # the domain; without it, one provider's verdicts on AliExpress mail are the same few strings,
    # and each is read once (authres costs about 0.2 ms a header).
    return _dkim_domains(_SIGNATURE.sub("", value))


@functools.lru_cache(maxsize=512)
def _dkim_domains(value: str) -> tuple[str, ...]:
    # Only the authserv-id and the dkim results are handed to authres: the rest (spf, dmarc, arc)
    # cannot change the answer.
    parts = _segments(value)
    if "=" in parts[0]:
        # Exchange Online writes no authserv-id ("spf=pass ...; dkim=pass ..."), against RFC 8601
        # section 2.2; as the topmost header it is still the user's provider speaking.
        parts.insert(0, _NO_AUTHSERV_ID)
    dkim = [p for p in parts[1:] if p.lstrip().lower().startswith("dkim")]
    return _parsed_domains(";".join([parts[0], *dkim]))


@functools.lru_cache(maxsize=512)
def _parsed_domains(value: str) -> tuple[str, ...]:
    header = _parse(value)
    return tuple(_dkim_pass_domains(header)) if header is not None else ()


def _authserv_id(value: str) -> str:
    head = value.partition(";")[0]
    if "(" in head or '"' in head:
        head = _segments(value)[0]
    if "=" in head:
        return ""
    m = _AUTHSERV.match(value)
    return m.group(1).lower() if m else ""


def _passes_for_aliexpress(value: str) -> bool:
    """Does the header show dkim=pass with a header.d under an AliExpress domain?"""
    return any(_under(d, ALIEXPRESS_DOMAINS) for d in _pass_domains(value))


def _trusted_block_verdict(
    values: Sequence[str], trusted: frozenset[str], *, relayed: bool
) -> bool:
    """The topmost header's verdict, when its authserv-id is one of the trusted ones."""
    lowered = {t.lower() for t in trusted} - {""}
    if _authserv_id(values[0]) not in lowered:
        return False
    # Only the topmost header speaks: a sender can write the provider's id too, and a provider
    # that did not verify a signature (an unsigned mail) often writes no dkim result at all, so
    # a "pass" further down would be the sender's (RFC 8601 sections 5 and 7.1).
    if _passes_for_aliexpress(values[0]):
        return True
    return relayed and _relay_vouches(values, 0, lowered)


def _relay_vouches(values: Sequence[str], index: int, trusted: set[str] | None) -> bool:
    """Apple "Hide My Email": the header at `index` passes the relay's signature, and the one
    just below it, Apple's own (a trusted id, when ids are set), passes AliExpress's."""
    domains = _pass_domains(values[index])
    if index + 1 >= len(values) or not any(_under(d, (APPLE_RELAY_DOMAIN,)) for d in domains):
        return False
    below = values[index + 1]
    server = _authserv_id(below)
    if trusted is not None and server not in trusted:
        return False
    return _under(server, _APPLE_AUTHSERV) and _passes_for_aliexpress(below)


def is_authentic(values: Sequence[str], trusted: frozenset[str], *, relayed: bool) -> bool:
    """True only when the user's own provider shows dkim=pass with header.d under AliExpress's.

    `values` are the header values topmost first. Only headers the user's own provider added can
    be trusted, and those are at the top: anything below may have been written by the sender (RFC
    8601 section 5): only the topmost one decides, parseable or not. With trusted authserv-ids it
    must also carry one of them; a trusted id anywhere below is never believed, since the sender
    can write the provider's id too (RFC 8601 section 7.1; a provider should remove such headers,
    not every one does). For Apple "Hide My Email" mail, the deciding header's
    pass for the relay domain vouches for the relay's own header just below it (a sender's forged
    headers sit further down); with trusted ids, that header's id must be listed too.
    """
    if not values:
        return False
    if trusted:
        return _trusted_block_verdict(values, trusted, relayed=relayed)
    if _passes_for_aliexpress(values[0]):
        return True
    return relayed and _relay_vouches(values, 0, None)
