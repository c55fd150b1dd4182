"""Word lists per language that are not templates: attention words, language cues, labels."""

from __future__ import annotations

import re

_F = re.IGNORECASE | re.UNICODE
# Patterns marked _L are matched against lower-cased text: case-insensitive matching of long
# alternations costs more than lower-casing the text once (benchmarks/bench_parse.py).
_L = re.UNICODE

# Dispute / refund / return / cancellation vocabulary (docs/aliexpress-mail.md, "Dispute, refund
# and cancellation mail"). Unrecognised AliExpress mail containing any of it needs a human now.
ATTENTION = re.compile(
    r"\bdisputes?\b|\brefund|\breturn(?:s|ed|ing)?\b|\bcancel|\bchargeback"
    r"|streitigkeit|streitfall|rückgabe|rückerstattung|erstattung|rücksendung|stornier"
    r"|\bdisputa|reembols|devoluci[oó]n|devolu[cç][aã]o|cancelaci[oó]n|cancelamento"
    r"|\bspór|\bsporu|\bzwrot|anulowan"
    r"|\blitige|rembours|\bretour|annulation"
    r"|\bспор|возврат|отмен",
    _L,
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


_LANGUAGES_OF: dict[str, tuple[str, ...]] = {}
for _lang, _words in STOPWORDS.items():
    for _word in _words:
        _LANGUAGES_OF[_word] = (*_LANGUAGES_OF.get(_word, ()), _lang)


def guess_language(lowered: str, candidates: tuple[str, ...] | None = None) -> str | None:
    """The language whose frequent words occur most often in lower-cased text, or None."""
    pool = candidates or tuple(STOPWORDS)
    counts = dict.fromkeys(pool, 0)
    for word in _WORD.findall(lowered[:4000]):
        for lang in _LANGUAGES_OF.get(word, ()):
            if lang in counts:
                counts[lang] += 1
    best = max(pool, key=counts.__getitem__)
    return best if counts[best] else None


# Words that announce a deadline just before a date ("respond before ...", "bis zum ...").
DEADLINE_CUE = re.compile(
    r"(?<!\w)(?:before|by|until|no later than|deadline|expires?(?: on)?|due"
    r"|bis(?: zum)?|vor dem|spätestens(?: am)?|frist"
    r"|antes del?|hasta el|fecha límite|até|antes de|prazo"
    r"|do(?: dnia)?|przed|termin"
    r"|avant le|jusqu'au|d'ici le|date limite"
    r"|до|не позднее|срок)\W{0,3}(?:\w+\W{1,3}){0,2}$",
    _L,
)

# A seller pushing the buyer off the dispute or the platform (docs/aliexpress-mail.md, "What buyers
# lose money to": closing for a promise, confirming receipt early, paying outside AliExpress).
PRESSURE = re.compile(
    r"(?:close|cancel|withdraw|end)\s+(?:the|your|this)\s+dispute|confirm\s+(?:the\s+)?(?:receipt|delivery)"
    r"|paypal|western\s+union|whatsapp|wechat|telegram|outside\s+(?:of\s+)?aliexpress"
    r"|streitigkeit\s+(?:schließen|zurückziehen|beenden|stornieren)|erhalt\s+bestätigen"
    r"|(?:cerrar|cancelar|retirar)\s+la\s+disputa|confirmar\s+(?:la\s+)?recepción"
    r"|(?:fechar|cancelar|retirar)\s+a\s+disputa|confirmar\s+o\s+recebimento"
    r"|(?:zamknij|zamknąć|anuluj|anulować)\s+spór|potwierdź\s+odbiór|potwierdzić\s+odbiór"
    r"|(?:fermer|annuler|retirer)\s+le\s+litige|confirmer\s+la\s+réception"
    r"|(?:закройте|закрыть|отмените|отменить)\s+спор|подтвердите\s+получение",
    _L,
)

# Dates after these are delivery estimates, not deadlines the buyer must meet.
NOT_DEADLINE = re.compile(
    r"deliver|arriv|zustell|lieferung|ankunft|entrega|llegada|dostaw|doręcz|livraison|доставк"
    r"|chegada|shipped on|versandt am|aufgegeben",
    _L,
)

# Labels that say which amount in a mail is the one that matters.
# A label counts when it stands on the same line, at most 40 characters before the amount.
PROPOSAL_LABEL = re.compile(
    r"(?:propos|offer|vorschlag|angebot|propuesta|proposta|propozycj|proposition|предлож)"
    r"[^\n]{0,40}$",
    _L,
)
# "Refund only" is the name of a dispute type, not an amount's label (help-centre wording).
REFUND_LABEL = re.compile(
    r"(?:refund(?!\s+only)|(?<!nur )rückerstattung|erstattung|(?<!solo )(?<!sólo )reembolso"
    r"|zwrot|remboursement|возврат)[^\n]{0,40}$",
    _L,
)
TOTAL_LABEL = re.compile(
    r"\b(?:total|amount|paid|sum|gesamtbetrag|bestellsumme|summe|betrag|importe|kwota|razem|suma"
    r"|montant|итого|сумма|valor)\b[^\n]{0,40}$",
    _L,
)

# Lines of a quoted original in a hand-forwarded mail (Gmail, Outlook, Apple Mail, Thunderbird).
QUOTED_FROM = re.compile(r"^[ \t>*]*(?:from|von|de|od|от|da|van|från)[ \t]*:[ \t]*(.+)$", _F | re.M)
QUOTED_SUBJECT = re.compile(
    r"^[ \t>*]*(?:subject|betreff|asunto|objet|temat|тема|assunto|oggetto|onderwerp|ämne)"
    r"[ \t]*:[ \t]*(.+)$",
    _F | re.M,
)
# The quoted original's date line (Gmail "Date:", Outlook "Sent:"/"Gesendet:", RU "Дата:").
QUOTED_DATE = re.compile(
    r"^[ \t>*]*(?:date|sent|datum|gesendet|fecha|enviado|envoyé|data|wysłano|дата|отправлено)"
    r"[ \t]*:[ \t]*(.+)$",
    _F | re.M,
)
# The words mail clients put before a forwarded subject ("Fwd:", "WG:", "TR:", "RV:", "Пересл:").
FORWARD_WORDS = ("fwd", "fw", "wg", "tr", "rv", "enc", "pd", "vs", "doorst", "пересл")
FORWARD_PREFIX = re.compile(r"^\s*(?:(?:" + "|".join(FORWARD_WORDS) + r")\s*:\s*)+", _F)
# Looked for as plain substrings of the lower-cased text: a case-insensitive alternation over
# every non-AliExpress mail's first 20 KB was a seventh of `aliwatch parse`.
FORWARD_MARKERS = (
    "forwarded message", "original message", "weitergeleitete nachricht",
    "ursprüngliche nachricht", "mensaje reenviado", "mensaje original", "message transféré",
    "message d'origine", "пересылаемое сообщение", "исходное сообщение", "mensagem encaminhada",
    "wiadomość przekazana", "oryginalna wiadomość",
)  # fmt: skip
