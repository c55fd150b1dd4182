"""The SQLite state store: mails examined, events, orders, parcels, disputes, alerts and marks."""

from aliwatch.daemon.store.alerts import Alert, AlertState
from aliwatch.daemon.store.errors import (
    NotInStoreError,
    StoreDamagedError,
    StoreError,
    StoreFullError,
    StoreMissingError,
)
from aliwatch.daemon.store.mails import MailKey, MailStatus
from aliwatch.daemon.store.marks import Acks
from aliwatch.daemon.store.recognition import StoredMail
from aliwatch.daemon.store.store import Store, health_of

__all__ = [
    "Acks",
    "Alert",
    "AlertState",
    "MailKey",
    "MailStatus",
    "NotInStoreError",
    "Store",
    "StoreDamagedError",
    "StoreError",
    "StoreFullError",
    "StoreMissingError",
    "StoredMail",
    "health_of",
]
