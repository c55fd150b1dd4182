"""Rows for the dispute branch, narrowest first; all reconstructed (no public sample exists).

Vocabulary from help-centre copy (docs/aliexpress-mail.md): "Open Dispute", "Refund only",
"Return & Refund", "Escalate Dispute", "seller has responded", "proposal"/"solution",
"Refuse and Provide Solutions", "Dispute processing".
"""

from aliwatch.parsers.event import Kind
from aliwatch.parsers.row import Row

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
    # The message itself, when the subject is generic ("Notification from AliExpress"). Closed
    # and escalated first: those mails recount the proposal or the opening that led there.
    Row(CLOSED, "en", body=(r"dispute{gap} (?:has been|was) (?:closed|resolved|cancell?ed)",)),
    Row(CLOSED, "de", body=(r"streitigkeit{gap} wurde (?:geschlossen|beendet|abgeschlossen)",)),
    Row(CLOSED, "es", body=(r"disputa{gap} (?:ha sido|fue) (?:cerrada|resuelta)",)),
    Row(CLOSED, "pt", body=(r"disputa{gap} foi (?:encerrada|fechada|resolvida)",)),
    Row(CLOSED, "pl", body=(r"spór{gap} został (?:zamknięty|zakończony|rozstrzygnięty)",)),
    Row(CLOSED, "fr", body=(r"litige{gap} a été (?:clos|fermé|résolu|clôturé)",)),
    Row(CLOSED, "ru", body=(r"спор{gap} (?:был )?(?:закрыт|заверш[её]н)",)),
    Row(ESCALATED, "en", body=(r"dispute{gap} (?:has been|was) escalated|escalated to aliexpress",)),
    Row(ESCALATED, "de", body=(r"streitigkeit{gap} an aliexpress (?:übergeben|weitergeleitet)|streitigkeit{gap} (?:wurde )?eskaliert",)),
    Row(ESCALATED, "es", body=(r"disputa{gap} (?:ha sido|fue) escalada",)),
    Row(ESCALATED, "pt", body=(r"disputa{gap} foi (?:escalada|escalonada)",)),
    Row(ESCALATED, "pl", body=(r"spór{gap} (?:został )?(?:eskalowany|przekazany do aliexpress)",)),
    Row(ESCALATED, "fr", body=(r"litige{gap} (?:a été )?(?:escaladé|transmis à aliexpress)",)),
    Row(ESCALATED, "ru", body=(r"спор{gap} (?:был )?(?:эскалирован|передан в aliexpress)",)),
    Row(RETURN, "en", body=(r"please (?:ship|send|return) the item|ship the item back",)),
    Row(RETURN, "de", body=(r"bitte senden sie den artikel{gap} (?:zurück|rücksendeadresse)|rücksendung erforderlich",)),
    Row(RETURN, "es", body=(r"envía el artículo de vuelta|devuelve el artículo|devolución requerida",)),
    Row(RETURN, "pt", body=(r"envie o item de volta|devolva o item|devolução necessária",)),
    Row(RETURN, "pl", body=(r"odeślij (?:przedmiot|produkt)|wymagany zwrot",)),
    Row(RETURN, "fr", body=(r"renvoyez l'article|retournez l'article|retour requis",)),
    Row(RETURN, "ru", body=(r"верните товар|отправьте товар обратно",)),
    Row(PROPOSAL, "en", body=(r"(?:responded|replied) to your dispute|(?:made|proposed|offered) a (?:new )?(?:proposal|solution)|new proposal",)),
    Row(PROPOSAL, "de", body=(r"auf ihre streitigkeit{gap} geantwortet|(?:neue lösung|neuen vorschlag){gap} (?:vorgeschlagen|gemacht)|lösung vorgeschlagen",)),
    Row(PROPOSAL, "es", body=(r"ha respondido a tu disputa|nueva propuesta|ha propuesto una solución",)),
    Row(PROPOSAL, "pt", body=(r"respondeu à sua disputa|nova proposta|propôs uma solução",)),
    Row(PROPOSAL, "pl", body=(r"odpowiedział na (?:twój )?spór|nowa propozycja|zaproponował rozwiązanie",)),
    Row(PROPOSAL, "fr", body=(r"a répondu à votre litige|nouvelle proposition|a proposé une solution",)),
    Row(PROPOSAL, "ru", body=(r"ответил на ваш спор|новое предложение|предложил решение",)),
    Row(OPENED, "en", body=(r"you(?:'ve| have) opened a dispute|dispute{gap} (?:has been|was) (?:opened|submitted)",)),
    Row(OPENED, "de", body=(r"sie haben eine streitigkeit{gap} eröffnet|streitigkeit wurde eröffnet",)),
    Row(OPENED, "es", body=(r"has abierto una disputa|disputa{gap} (?:ha sido|fue) abierta",)),
    Row(OPENED, "pt", body=(r"você abriu uma disputa|disputa{gap} foi aberta",)),
    Row(OPENED, "pl", body=(r"otworzyłeś spór|spór{gap} został otwarty",)),
    Row(OPENED, "fr", body=(r"vous avez ouvert un litige|litige{gap} a été ouvert",)),
    Row(OPENED, "ru", body=(r"вы открыли спор|спор{gap} (?:был )?открыт",)),
)
