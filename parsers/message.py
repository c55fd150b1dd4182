"""A mail's own message: its text without the page's navigation bar and footer.

Real AliExpress mail opens with a navigation bar ("Fast delivery", "Free returns", "My Orders Help
Center Buyer Protection") and closes with a footer (who it was sent to, privacy policy,
recommendations). Their words are the same in every mail, so they must neither raise the
attention flag ("Free returns" is not a return) nor count as a status cue.
"""

from __future__ import annotations

import re

# Lines that are navigation, never the message: matched whole (after trimming) on lower-cased
# lines, in every supported language. Seen in real mail: "Free returns", "Fast delivery",
# "Kostenlose Rückgabe", "Expresslieferung", "My Orders Help Center Buyer Protection".
_NAVIGATION = re.compile(
    r"(?:(?:free|kostenlose|gratis|darmowe|бесплатный|devoluç[aã]o|devoluciones|retours?)"
    r"\s+(?:returns?|rückgabe|rückgaben|devoluciones|devolução|gr[aá]tis|gratuits?|zwroty|возврат)"
    r"|fast delivery|express(?:lieferung| delivery)?|schnelle lieferung|entrega r[aá]pida"
    r"|livraison rapide|szybka dostawa|быстрая доставка"
    r"|my orders(?: help cent(?:er|re))?(?: buyer protection)?|help cent(?:er|re)|buyer protection"
    r"|meine bestellungen|hilfe-?center|käuferschutz"
    r"|mis pedidos|centro de ayuda|protección al comprador"
    r"|moje zamówienia|centrum pomocy|ochrona kupującego"
    r"|mes commandes|centre d'aide|protection acheteur"
    r"|мои заказы|центр помощи|защита покупателя"
    r"|meus pedidos|central de ajuda|proteção ao comprador"
    r"|[\s|·•]+)",
    re.UNICODE,
)
# Where the footer starts: the first line holding one of these.
_FOOTER = re.compile(
    r"this (?:e-?mail|message) was sent to|you received this (?:e-?mail|message)"
    r"|please do not reply to this|privacy policy|unsubscribe|you may also like"
    r"|diese e-mail wurde an|bitte antworten sie nicht|datenschutzrichtlinie|abmelden"
    r"|das könnte ihnen auch gefallen"
    r"|este correo electrónico se|por favor, no respondas|política de privacidad|darse de baja"
    r"|cet e-mail a été envoyé|merci de ne pas répondre|politique de confidentialité"
    r"|ta wiadomość została wysłana|prosimy nie odpowiadać|polityka prywatności"
    r"|это письмо отправлено|пожалуйста, не отвечайте|политика конфиденциальности"
    r"|este e-mail foi enviado|por favor, não responda|política de privacidade"
    r"|alibaba\.com singapore",
    re.UNICODE,
)


# The message stands at the top; past this much text only footers and recommendations follow.
_LOOK = 30_000


def own_message(lowered: str) -> str:
    """The message part of a lower-cased body text: navigation lines dropped, footer cut off."""
    kept: list[str] = []
    for line in lowered[:_LOOK].splitlines():
        stripped = line.strip()
        if not stripped or _NAVIGATION.fullmatch(stripped):
            continue
        if kept and _FOOTER.search(stripped):
            break
        kept.append(stripped)
    return "\n".join(kept)
