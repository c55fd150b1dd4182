"""Rows for the cancellation branch; decisions come before the request (they quote it).

No public sample exists: every row here is reconstructed from help-centre vocabulary.
"""

from parsers.event import Kind
from parsers.row import Row

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
    Row(ACCEPTED, "en", r"order {order}: (?:order )?cancell?ed"),
    Row(ACCEPTED, "en", r"cancellation(?: request)?(?: was| has been)? (?:accepted|approved|successful|confirmed)"),
    Row(ACCEPTED, "en", r"your order {order} (?:has been|was) cancell?ed"),
    Row(ACCEPTED, "de", r"bestellung {order}: (?:bestellung )?storniert"),
    Row(ACCEPTED, "de", r"stornierung (?:wurde )?(?:akzeptiert|genehmigt|bestätigt)"),
    Row(ACCEPTED, "es", r"cancelación (?:aceptada|aprobada|confirmada)"),
    Row(ACCEPTED, "es", r"pedido {order}: pedido cancelado"),
    Row(ACCEPTED, "pt", r"pedido {order}: pedido cancelado"),
    Row(ACCEPTED, "pt", r"cancelamento (?:aceito|aprovado|confirmado)"),
    Row(ACCEPTED, "pl", r"zamówienie {order}: zamówienie anulowane"),
    Row(ACCEPTED, "fr", r"commande {order}: commande annulée"),
    Row(ACCEPTED, "fr", r"annulation (?:acceptée|confirmée)"),
    Row(ACCEPTED, "ru", r"заказ {order}: заказ отмен[её]н"),
    Row(REQUESTED, "en", r"cancell?ation request|request(?:ed)? to cancel"),
    Row(REQUESTED, "de", r"stornierungsanfrage|stornierung beantragt"),
    Row(REQUESTED, "es", r"solicitud de cancelación|solicitado cancelar"),
    Row(REQUESTED, "pl", r"prośba o anulowanie|wniosek o anulowanie"),
    Row(REQUESTED, "fr", r"demande d'annulation"),
    Row(REQUESTED, "ru", r"запрос на отмену"),
    Row(REQUESTED, "pt", r"solicitação de cancelamento|pedido de cancelamento"),
)
