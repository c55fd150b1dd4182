"""Whether a mail provably comes from AliExpress, read from Authentication-Results (RFC 8601)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import authres

from parsers.senders import ALIEXPRESS_DOMAINS, APPLE_RELAY_DOMAIN

# Apple's relay checks the original signature before it rewrites the sender; its own
# Authentication-Results carry an authserv-id under one of these domains.
_APPLE_AUTHSERV = ("apple.com", "icloud.com", "me.com")


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


def is_authentic(values: Sequence[str], trusted: frozenset[str], *, relayed: bool) -> bool:
    """True only when a trusted Authentication-Results header shows dkim=pass for AliExpress.

    `values` are the header values topmost first. With no trusted authserv-ids configured, only the
    topmost header counts: it is the one the user's own provider added; anything below it may have
    been written by the sender (RFC 8601 section 5). For Apple "Hide My Email" mail, a pass for
    the relay domain in the topmost header vouches for the relay's own header just below it (a
    sender's forged headers sit further down); with trusted ids configured, list Apple's instead.
    """
    parsed = [h for h in (_parse(v) for v in values) if h is not None]
    if not parsed:
        return False
    if trusted:
        lowered = {t.lower() for t in trusted}
        trusted_headers = [h for h in parsed if str(h.authserv_id).lower() in lowered]
    else:
        trusted_headers = parsed[:1]
    for header in trusted_headers:
        domains = _dkim_pass_domains(header)
        if any(_under(d, ALIEXPRESS_DOMAINS) for d in domains):
            return True
        if relayed and not trusted and any(_under(d, (APPLE_RELAY_DOMAIN,)) for d in domains):
            below = parsed[parsed.index(header) + 1 : parsed.index(header) + 2]
            for relay_header in below:
                if _under(str(relay_header.authserv_id), _APPLE_AUTHSERV) and any(
                    _under(d, ALIEXPRESS_DOMAINS) for d in _dkim_pass_domains(relay_header)
                ):
                    return True
    return False
