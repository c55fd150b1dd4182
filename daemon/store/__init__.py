"""The SQLite state store: mails examined, events, orders, parcels, disputes, alerts and marks."""

from daemon.store.alerts import Alert, AlertState
from daemon.store.errors import NotInStoreError, StoreError, StoreFullError
from daemon.store.mails import MailKey, MailStatus
from daemon.store.marks import Acks
from daemon.store.recognition import StoredMail
from daemon.store.store import Store

__all__ = [
    "Acks",
    "Alert",
    "AlertState",
    "MailKey",
    "MailStatus",
    "NotInStoreError",
    "Store",
    "StoreError",
    "StoreFullError",
    "StoredMail",
]
