"""Whether a mail provably comes from AliExpress, read from Authentication-Results (RFC 8601)."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence

import authres

from parsers.senders import ALIEXPRESS_DOMAINS, APPLE_RELAY_DOMAIN

# Apple's relay checks the original signature before it rewrites the sender; its own
# Authentication-Results carry an authserv-id under one of these domains.
_APPLE_AUTHSERV = ("apple.com", "icloud.com", "me.com")
_DKIM_PASS = re.compile(r"dkim\s*=\s*pass\b", re.IGNORECASE)
_NO_AUTHSERV_ID = "authserv-id.invalid"
_SIGNATURE = re.compile(r"\bheader\.b\s*=\s*[^\s;()]*", re.IGNORECASE)
_AUTHSERV = re.compile(r"\s*([^\s;()]+)")


def _under(domain: str, parents: Iterable[str]) -> bool:
    domain = domain.lower().rstrip(".")
    return any(domain == p or domain.endswith("." + p) for p in parents)


def _parse(value: str) -> authres.AuthenticationResultsHeader | None:
    try:
        return authres.AuthenticationResultsHeader.parse("Authentication-Results: " + value)
    except (authres.AuthResError, ValueError, IndexError, AttributeError, TypeError):
        # Hostile or malformed header: it proves nothing.
        return None


def _dkim_pass_domains(header: authres.AuthenticationResultsHeader) -> list[str]:
    domains = []
    for result in header.results:
        if str(result.method).lower() != "dkim" or str(result.result).lower() != "pass":
            continue
        for prop in result.properties:
            if str(prop.type).lower() == "header" and str(prop.name).lower() in ("d", "i"):
                domains.append(str(prop.value).rpartition("@")[2])
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
    if "=" in _segments(value)[0]:
        return ""
    m = _AUTHSERV.match(value)
    return m.group(1).lower() if m else ""


def is_authentic(values: Sequence[str], trusted: frozenset[str], *, relayed: bool) -> bool:
    """True only when a trusted Authentication-Results header shows dkim=pass for AliExpress.

    `values` are the header values topmost first. With no trusted authserv-ids configured, only the
    topmost header counts, parseable or not: it is the one the user's own provider added; anything
    below it may have been written by the sender (RFC 8601 section 5). For Apple "Hide My Email"
    mail, a pass for the relay domain in the topmost header vouches for the relay's own header just
    below it (a sender's forged headers sit further down); with trusted ids, list Apple's instead.
    """
    if trusted:
        lowered = {t.lower() for t in trusted}
        chosen = [i for i, v in enumerate(values) if _authserv_id(v) in lowered]
    else:
        chosen = [0] if values else []
    for index in chosen:
        domains = _pass_domains(values[index])
        if any(_under(d, ALIEXPRESS_DOMAINS) for d in domains):
            return True
        relay_pass = any(_under(d, (APPLE_RELAY_DOMAIN,)) for d in domains)
        if relayed and not trusted and relay_pass and index + 1 < len(values):
            below = values[index + 1]
            if _under(_authserv_id(below), _APPLE_AUTHSERV) and any(
                _under(d, ALIEXPRESS_DOMAINS) for d in _pass_domains(below)
            ):
                return True
    return False
