"""Rows for the dispute branch, narrowest first; all reconstructed (no public sample exists).

Vocabulary from help-centre copy (docs/aliexpress-mail.md): "Open Dispute", "Refund only",
"Return & Refund", "Escalate Dispute", "seller has responded", "proposal"/"solution",
"Refuse and Provide Solutions", "Dispute processing".
"""

from parsers.event import Kind
from parsers.row import Row

PROPOSAL = Kind.SELLER_PROPOSAL
ESCALATED = Kind.DISPUTE_ESCALATED
CLOSED = Kind.DISPUTE_CLOSED
RETURN = Kind.RETURN_REQUIRED
OPENED = Kind.DISPUTE_OPENED

ROWS = (
    # The seller answered the dispute with a proposal the buyer must accept or refuse.
    Row(PROPOSAL, "en", r"seller (?:has )?(?:responded|replied) to your (?:dispute|refund request)"),
    Row(PROPOSAL, "en", r"(?:new|seller'?s?) (?:proposal|solution)|seller (?:has )?(?:proposed|offered) a (?:solution|refund)"),
    Row(PROPOSAL, "de", r"verkäufer hat (?:auf ihre streitigkeit )?(?:geantwortet|einen (?:neuen )?vorschlag|eine lösung)"),
    Row(PROPOSAL, "de", r"(?:neuer|lösungs)vorschlag"),
    Row(PROPOSAL, "es", r"(?:el )?vendedor ha (?:respondido|propuesto)|(?:nueva )?propuesta del vendedor"),
    Row(PROPOSAL, "pt", r"(?:o )?vendedor (?:respondeu|propôs)|(?:nova )?proposta do vendedor"),
    Row(PROPOSAL, "pl", r"sprzedawca (?:odpowiedział|zaproponował)|propozycja sprzedawcy"),
    Row(PROPOSAL, "fr", r"(?:le )?vendeur a (?:répondu|proposé)|proposition du vendeur"),
    Row(PROPOSAL, "ru", r"продавец (?:ответил|предложил)|предложение продавца"),
    # AliExpress steps in.
    Row(ESCALATED, "en", r"dispute (?:has been |was )?escalated|aliexpress (?:is now|has) (?:involved|stepped in)"),
    Row(ESCALATED, "de", r"streitigkeit (?:wurde )?(?:eskaliert|an aliexpress (?:weitergeleitet|übergeben))"),
    Row(ESCALATED, "es", r"disputa (?:ha sido )?escalada"),
    Row(ESCALATED, "pt", r"disputa (?:foi )?(?:escalada|escalonada)"),
    Row(ESCALATED, "pl", r"spór (?:został )?(?:eskalowany|przekazany do aliexpress)"),
    Row(ESCALATED, "fr", r"litige (?:a été )?(?:escaladé|transmis à aliexpress)"),
    Row(ESCALATED, "ru", r"спор (?:был )?(?:эскалирован|передан (?:в )?aliexpress)"),
    # Closed: the outcome is read from later mail (refund_issued) or the order page.
    Row(CLOSED, "en", r"dispute (?:has been |was )?(?:closed|resolved|ended|cancell?ed|finished)"),
    Row(CLOSED, "de", r"streitigkeit (?:wurde )?(?:geschlossen|beendet|abgeschlossen|gelöst|zurückgezogen)"),
    Row(CLOSED, "es", r"disputa (?:ha sido )?(?:cerrada|resuelta|finalizada|cancelada)"),
    Row(CLOSED, "pt", r"disputa (?:foi )?(?:encerrada|fechada|resolvida|cancelada)"),
    Row(CLOSED, "pl", r"spór (?:został )?(?:zamknięty|zakończony|rozstrzygnięty|anulowany)"),
    Row(CLOSED, "fr", r"litige (?:a été )?(?:clos|fermé|résolu|clôturé|annulé)"),
    Row(CLOSED, "ru", r"спор (?:был )?(?:закрыт|заверш[её]н|реш[её]н|отмен[её]н)"),
    # An agreed return: the buyer must ship the item back (10 days by seller rules).
    Row(RETURN, "en", r"return (?:the )?(?:item|goods|product|package)s?|please return|return required|ship (?:the item|it) back"),
    Row(RETURN, "de", r"rücksendung (?:erforderlich|notwendig)|(?:artikel|ware) zurücksenden|bitte zurücksenden"),
    Row(RETURN, "es", r"devuelv[ae] (?:el|los) (?:artículos?|productos?)|devolución (?:requerida|necesaria)"),
    Row(RETURN, "pt", r"devolva (?:o|os) (?:itens?|produtos?)|devolução (?:necessária|obrigatória)"),
    Row(RETURN, "pl", r"odeślij (?:przedmiot|produkt|paczkę)|wymagany zwrot"),
    Row(RETURN, "fr", r"retournez (?:l'article|le produit|le colis)|retour (?:requis|nécessaire)"),
    Row(RETURN, "ru", r"верните товар|требуется возврат товара"),
    # The buyer opened a dispute ("Refund only" or "Return & Refund").
    Row(OPENED, "en", r"dispute (?:has been |was )?(?:opened|submitted|created)|you(?:'ve| have) opened a dispute|refund request (?:submitted|received|opened)"),
    Row(OPENED, "de", r"streitigkeit (?:wurde )?(?:eröffnet|erstellt)|sie haben eine streitigkeit eröffnet"),
    Row(OPENED, "es", r"disputa (?:ha sido )?(?:abierta|creada)|has abierto una disputa"),
    Row(OPENED, "pt", r"disputa (?:foi )?(?:aberta|criada)|você abriu uma disputa"),
    Row(OPENED, "pl", r"spór (?:został )?otwarty|otworzyłeś spór"),
    Row(OPENED, "fr", r"litige (?:a été )?ouvert|vous avez ouvert un litige"),
    Row(OPENED, "ru", r"спор (?:был )?открыт|вы открыли спор"),
    # Body-only fallbacks when the subject is generic ("Notification from AliExpress").
    Row(PROPOSAL, "en", body=(r"seller (?:has )?(?:responded|proposed|offered)", r"\b(?:accept|refuse|reject)\b")),
    Row(PROPOSAL, "de", body=(r"verkäufer hat", r"vorschlag|lösung", r"akzeptieren|ablehnen")),
    Row(PROPOSAL, "es", body=(r"vendedor ha (?:respondido|propuesto)", r"aceptar|rechazar")),
    Row(ESCALATED, "en", body=(r"dispute (?:has been |was )?escalated",)),
    Row(CLOSED, "en", body=(r"dispute (?:has been |was )?(?:closed|resolved)",)),
    Row(OPENED, "en", body=(r"you(?:'ve| have) (?:opened|submitted) a (?:dispute|refund request)",)),
)
