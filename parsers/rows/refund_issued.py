"""Rows for `refund_issued`: money is on its way back. Reconstructed (no public sample)."""

from parsers.event import Kind
from parsers.row import Row

K = Kind.REFUND_ISSUED
ROWS = (
    Row(K, "en", r"refund (?:has been |was )?(?:issued|processed|completed|sent|successful)"),
    Row(K, "en", r"(?:you(?:'ve| have) been|order {order}:? ?(?:has been )?) refunded|your refund"),
    Row(K, "de", r"rückerstattung (?:wurde )?(?:veranlasst|ausgeführt|abgeschlossen|bearbeitet|erfolgt)"),
    Row(K, "de", r"ihre rückerstattung|betrag (?:wurde )?erstattet"),
    Row(K, "es", r"reembolso (?:emitido|completado|procesado|realizado)|tu reembolso"),
    Row(K, "pl", r"zwrot (?:pieniędzy |środków )?(?:został )?(?:zrealizowany|wysłany|wykonany)"),
    Row(K, "fr", r"remboursement (?:a été )?(?:effectué|émis|traité)|votre remboursement"),
    Row(K, "ru", r"возврат (?:средств |денег )?(?:выполнен|оформлен|произвед[её]н)|деньги возвращены"),
    Row(K, "pt", r"reembolso (?:foi )?(?:emitido|concluído|processado|realizado)|seu reembolso"),
)
