"""Word lists per language that are not templates: attention words, language cues, labels."""

from __future__ import annotations

import re

_F = re.IGNORECASE | re.UNICODE

# Dispute / refund / return / cancellation vocabulary (docs/aliexpress-mail.md, "Dispute, refund
# and cancellation mail"). Unrecognised AliExpress mail containing any of it needs a human now.
ATTENTION = re.compile(
    r"\bdisputes?\b|\brefund|\breturn(?:s|ed|ing)?\b|\bcancel|\bchargeback"
    r"|streitigkeit|streitfall|rückgabe|rückerstattung|erstattung|rücksendung|stornier"
    r"|\bdisputa|reembols|devoluci[oó]n|devolu[cç][aã]o|cancelaci[oó]n|cancelamento"
    r"|\bspór|\bsporu|\bzwrot|anulowan"
    r"|\blitige|rembours|\bretour|annulation"
    r"|\bспор|возврат|отмен",
    _F,
)

# Frequent words that tell languages apart when a subject is shared (ES and PT "pedido ...").
STOPWORDS: dict[str, tuple[str, ...]] = {
    "en": ("the", "your", "you", "has", "been", "and", "please", "order"),
    "de": ("ihre", "ihr", "sie", "und", "wurde", "bestellung", "der", "die", "das", "nicht"),
    "es": ("tu", "el", "ha", "del", "los", "hola", "gracias", "su", "usted", "aquí", "está"),
    "pt": ("seu", "sua", "você", "foi", "não", "olá", "obrigado", "aqui", "está", "do", "da"),
    "pl": ("twoje", "twoja", "został", "zostało", "się", "jest", "dziękujemy", "zamówienie"),
    "fr": ("votre", "vous", "est", "le", "la", "les", "commande", "merci", "été"),
    "ru": ("ваш", "вы", "заказ", "был", "спасибо", "ваша", "на", "не"),
}
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def guess_language(text: str, candidates: tuple[str, ...] | None = None) -> str | None:
    """Return the language whose frequent words occur most often in `text`, or None."""
    counts: dict[str, int] = {}
    words = _WORD.findall(text[:20000].lower())
    pool = candidates or tuple(STOPWORDS)
    sets = {lang: frozenset(STOPWORDS[lang]) for lang in pool if lang in STOPWORDS}
    for word in words:
        for lang, stop in sets.items():
            if word in stop:
                counts[lang] = counts.get(lang, 0) + 1
    if not counts:
        return None
    return max(pool, key=lambda lang: counts.get(lang, 0))


# Words that announce a deadline just before a date ("respond before ...", "bis zum ...").
DEADLINE_CUE = re.compile(
    r"(?<!\w)(?:before|by|until|no later than|deadline|expires?(?: on)?|due"
    r"|bis(?: zum)?|vor dem|spätestens(?: am)?|frist"
    r"|antes del?|hasta el|fecha límite|até|antes de|prazo"
    r"|do dnia|przed|termin"
    r"|avant le|jusqu'au|d'ici le|date limite"
    r"|до|не позднее|срок)\W{0,3}(?:\w+\W{1,3}){0,2}$",
    _F,
)

# Dates after these are delivery estimates, not deadlines the buyer must meet.
NOT_DEADLINE = re.compile(
    r"deliver|arriv|zustell|lieferung|ankunft|entrega|llegada|dostaw|doręcz|livraison|доставк"
    r"|chegada|shipped on|versandt am|aufgegeben",
    _F,
)

# Labels that say which amount in a mail is the one that matters.
# A label counts when it stands on the same line, at most 40 characters before the amount.
PROPOSAL_LABEL = re.compile(
    r"(?:propos|offer|vorschlag|angebot|propuesta|proposta|propozycj|proposition|предлож)"
    r"[^\n]{0,40}$",
    _F,
)
# "Refund only" is the name of a dispute type, not an amount's label (help-centre wording).
REFUND_LABEL = re.compile(
    r"(?:refund(?!\s+only)|(?<!nur )rückerstattung|erstattung|(?<!solo )(?<!sólo )reembolso"
    r"|zwrot|remboursement|возврат)[^\n]{0,40}$",
    _F,
)
TOTAL_LABEL = re.compile(
    r"(?:total|amount|paid|sum|gesamtbetrag|bestellsumme|summe|betrag|importe|kwota|razem|suma"
    r"|montant|итого|сумма|valor)[^\n]{0,40}$",
    _F,
)

# Lines of a quoted original in a hand-forwarded mail (Gmail, Outlook, Apple Mail, Thunderbird).
QUOTED_FROM = re.compile(r"^[ \t>*]*(?:from|von|de|od|от|da|van|från)[ \t]*:[ \t]*(.+)$", _F | re.M)
QUOTED_SUBJECT = re.compile(
    r"^[ \t>*]*(?:subject|betreff|asunto|objet|temat|тема|assunto|oggetto|onderwerp|ämne)"
    r"[ \t]*:[ \t]*(.+)$",
    _F | re.M,
)
FORWARD_PREFIX = re.compile(r"^\s*(?:(?:fwd?|wg|tr|rv|enc|pd|vs|doorst|пересл|fw)\s*:\s*)+", _F)
FORWARD_MARKER = re.compile(
    r"forwarded message|original message|weitergeleitete nachricht|ursprüngliche nachricht"
    r"|mensaje reenviado|mensaje original|message transféré|message d'origine"
    r"|пересылаемое сообщение|исходное сообщение"
    r"|mensagem encaminhada|wiadomość przekazana|oryginalna wiadomość"
    r"|begin forwarded message",
    _F,
)
