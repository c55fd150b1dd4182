"""Rows for `seller_message`: a chat message from a store (where closing pressure shows up)."""

from aliwatch.parsers.event import Kind
from aliwatch.parsers.row import Row

K = Kind.SELLER_MESSAGE
ROWS = (
    Row(K, "en", r"new message from|(?:you have|you've got) (?:a )?new message|sent you a (?:new )?message"),
    Row(K, "de", r"neue nachricht (?:vom|von)|hat ihnen eine nachricht gesendet"),
    Row(K, "es", r"nuevo mensaje (?:del|de)|te ha enviado un mensaje"),
    Row(K, "pt", r"nova mensagem (?:do|de)|enviou uma mensagem"),
    Row(K, "pl", r"nowa wiadomość od|wysłał(?:a)? ci wiadomość"),
    Row(K, "fr", r"nouveau message (?:du|de)|vous a envoyé un message"),
    Row(K, "ru", r"новое сообщение от|отправил вам сообщение"),
    # The message itself.
    Row(K, "en", body=(r"sent you a (?:new )?message|you have a new message",)),
    Row(K, "de", body=(r"sie haben eine neue nachricht|hat ihnen eine nachricht gesendet",)),
    Row(K, "es", body=(r"te ha enviado un mensaje|tienes un nuevo mensaje",)),
    Row(K, "pt", body=(r"enviou uma mensagem|você tem uma nova mensagem",)),
    Row(K, "pl", body=(r"wysłał(?:a)? ci wiadomość|masz nową wiadomość",)),
    Row(K, "fr", body=(r"vous a envoyé un message|vous avez un nouveau message",)),
    Row(K, "ru", body=(r"отправил вам сообщение|у вас новое сообщение",)),
)
