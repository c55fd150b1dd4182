"""Rows for `refund_issued`: money is on its way back. Reconstructed (no public sample)."""

from aliwatch.parsers.event import Kind
from aliwatch.parsers.row import Row

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
    # The message itself.
    Row(K, "en", body=(r"(?:we(?:'ve| have) )?processed your refund|refund{gap} (?:has been|was) (?:issued|processed|sent)",)),
    Row(K, "de", body=(r"rückerstattung{gap} veranlasst|rückerstattung wurde (?:ausgeführt|bearbeitet)",)),
    Row(K, "es", body=(r"reembolso{gap} (?:se ha|ha sido) (?:procesado|emitido|realizado)|hemos procesado tu reembolso",)),
    Row(K, "pt", body=(r"reembolso{gap} foi (?:processado|emitido|realizado)|processamos seu reembolso",)),
    Row(K, "pl", body=(r"zwrot{gap} został (?:zrealizowany|wysłany)",)),
    Row(K, "fr", body=(r"remboursement{gap} a été effectué|nous avons effectué votre remboursement",)),
    Row(K, "ru", body=(r"возврат{gap} (?:выполнен|оформлен)",)),
)
