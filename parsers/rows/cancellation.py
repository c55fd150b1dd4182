"""Rows for the cancellation branch; decisions come before the request (they quote it).

No public sample exists: every row here is reconstructed from help-centre vocabulary.
"""

from aliwatch.parsers.event import Kind
from aliwatch.parsers.row import Row

ACCEPTED = Kind.CANCELLATION_ACCEPTED
REJECTED = Kind.CANCELLATION_REJECTED
REQUESTED = Kind.CANCELLATION_REQUESTED

ROWS = (
    Row(REJECTED, "en", r"cancellation(?: request)?(?: was| has been)? (?:rejected|declined|refused)"),
    Row(REJECTED, "en", r"seller (?:rejected|declined|refused) (?:your|the) cancellation"),
    Row(REJECTED, "de", r"stornierung(?:sanfrage)? (?:wurde )?abgelehnt"),
    Row(REJECTED, "es", r"(?:solicitud de )?cancelación rechazada"),
    Row(REJECTED, "pl", r"(?:prośba o )?anulowanie (?:zostało |została )?odrzucon[ea]"),
    Row(REJECTED, "fr", r"(?:demande d'|l')?annulation (?:a été )?refusée"),
    Row(REJECTED, "ru", r"(?:запрос на )?отмен[уа] (?:заказа )?отклон[её]н"),
    Row(REJECTED, "pt", r"cancelamento (?:foi )?(?:recusado|rejeitado)"),
    Row(ACCEPTED, "en", r"order {order} (?:order )?cancell?ed"),
    Row(ACCEPTED, "en", r"cancellation(?: request)?(?: was| has been)? (?:accepted|approved|successful|confirmed)"),
    Row(ACCEPTED, "en", r"your order {order} (?:has been|was) cancell?ed"),
    Row(ACCEPTED, "de", r"bestellung {order} (?:bestellung )?storniert"),
    Row(ACCEPTED, "de", r"stornierung (?:wurde )?(?:akzeptiert|genehmigt|bestätigt)"),
    Row(ACCEPTED, "es", r"cancelación (?:aceptada|aprobada|confirmada)"),
    Row(ACCEPTED, "es", r"pedido {order} pedido cancelado"),
    Row(ACCEPTED, "pt", r"pedido {order} pedido cancelado"),
    Row(ACCEPTED, "pt", r"cancelamento (?:aceito|aprovado|confirmado)"),
    Row(ACCEPTED, "pl", r"zamówienie {order} zamówienie anulowane"),
    Row(ACCEPTED, "fr", r"commande {order} commande annulée"),
    Row(ACCEPTED, "fr", r"annulation (?:acceptée|confirmée)"),
    Row(ACCEPTED, "ru", r"заказ {order} заказ отмен[её]н"),
    Row(REQUESTED, "en", r"cancell?ation request|request(?:ed)? to cancel"),
    Row(REQUESTED, "de", r"stornierungsanfrage|stornierung beantragt"),
    Row(REQUESTED, "es", r"solicitud de cancelación|solicitado cancelar"),
    Row(REQUESTED, "pl", r"prośba o anulowanie|wniosek o anulowanie"),
    Row(REQUESTED, "fr", r"demande d'annulation"),
    Row(REQUESTED, "ru", r"запрос на отмену"),
    Row(REQUESTED, "pt", r"solicitação de cancelamento|pedido de cancelamento"),
    # The message itself: the decision first, then the request it answers.
    Row(REJECTED, "en", body=(r"(?:rejected|declined|refused) your (?:cancellation )?request|cancellation request{gap} (?:was|has been) (?:rejected|declined|refused)",)),
    Row(REJECTED, "de", body=(r"stornierungsanfrage{gap} abgelehnt|stornierung wurde abgelehnt",)),
    Row(REJECTED, "es", body=(r"(?:rechazado|rechazó) tu solicitud de cancelación|solicitud de cancelación{gap} rechazada",)),
    Row(REJECTED, "pt", body=(r"(?:recusou|rejeitou) (?:sua|a) solicitação de cancelamento",)),
    Row(REJECTED, "pl", body=(r"odrzucił{gap} (?:prośbę|wniosek) o anulowanie",)),
    Row(REJECTED, "fr", body=(r"(?:refusé|rejeté) votre demande d'annulation",)),
    Row(REJECTED, "ru", body=(r"отклонил{gap} запрос на отмену",)),
    Row(ACCEPTED, "en", body=(r"(?:accepted|approved) your cancellation request|order (?:{order} )?(?:has been|was) cancell?ed",)),
    Row(ACCEPTED, "de", body=(r"stornierungsanfrage{gap} (?:akzeptiert|angenommen|genehmigt)|bestellung (?:{order} )?wurde storniert",)),
    Row(ACCEPTED, "es", body=(r"(?:aceptado|aceptó) tu solicitud de cancelación|pedido (?:{order} )?(?:ha sido|fue) cancelado",)),
    Row(ACCEPTED, "pt", body=(r"(?:aceitou|aprovou) (?:sua|a) solicitação de cancelamento|pedido (?:{order} )?foi cancelado",)),
    Row(ACCEPTED, "pl", body=(r"zamówienie (?:{order} )?zostało anulowane",)),
    Row(ACCEPTED, "fr", body=(r"commande (?:{order} )?a été annulée",)),
    Row(ACCEPTED, "ru", body=(r"заказ (?:{order} )?(?:был )?отмен[её]н",)),
    Row(REQUESTED, "en", body=(r"(?:you(?:'ve| have)? )?requested to cancel|cancellation request (?:submitted|received|sent)",)),
    Row(REQUESTED, "de", body=(r"sie haben die stornierung{gap} beantragt|stornierungsanfrage (?:gesendet|eingereicht)",)),
    Row(REQUESTED, "es", body=(r"has solicitado (?:cancelar|la cancelación)",)),
    Row(REQUESTED, "pt", body=(r"você solicitou o cancelamento",)),
    Row(REQUESTED, "pl", body=(r"poprosiłeś o anulowanie|złożyłeś wniosek o anulowanie",)),
    Row(REQUESTED, "fr", body=(r"vous avez demandé l'annulation",)),
    Row(REQUESTED, "ru", body=(r"вы запросили отмену",)),
)
