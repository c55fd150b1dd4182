"""The outbox: stored before any send, each (alert, channel) sent once, failures retried."""

from __future__ import annotations

import threading
from contextlib import ExitStack
from datetime import UTC, time, timedelta

import pytest

from aliwatch.daemon.alerts.channels.channel import ChannelError, Outgoing
from aliwatch.daemon.alerts.channels.email_channel import EmailChannel
from aliwatch.daemon.alerts.delivery import DeliveryWorker
from aliwatch.daemon.alerts.outbox import Outbox, in_quiet_hours, retry_delay
from aliwatch.daemon.config.settings import Settings
from aliwatch.daemon.store import Store, StoreError
from aliwatch.rules.decide import Decision, payload
from tests.support import NOW, disk_full


class Recording:
    """A channel that records what it sends, or fails while `down`."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.sent: list[str] = []
        self.down = False

    def describe(self) -> str:
        return self.name

    def send(self, alert: Outgoing) -> None:
        if self.down:
            raise ChannelError(f"{self.name}: down")
        self.sent.append(alert.key)


def add(store: Store, rule: str = "parcel_stalled", due: timedelta = timedelta(days=9)) -> str:
    decision = Decision(
        key=f"{rule}:8200000000000101:{due}",
        order_id="",
        rule=rule,
        headline="h",
        advice="a",
        due=NOW + due,
    )
    store.add_alert(decision.key, order_id=None, rule=rule, due=decision.due,
                    payload=payload(decision), now=NOW)  # fmt: skip
    return decision.key


def test_each_alert_goes_once_to_each_channel(store):
    a, b = Recording("a"), Recording("b")
    key = add(store)
    outbox = Outbox(store, [a, b], UTC)
    assert outbox.deliver(NOW) == 2
    assert outbox.deliver(NOW + timedelta(hours=1)) == 0
    assert (a.sent, b.sent) == ([key], [key])
    assert store.alert(key).state == "sent"


def test_a_failing_channel_never_blocks_the_others_and_is_retried_later(store):
    up, down = Recording("up"), Recording("down")
    down.down = True
    key = add(store)
    outbox = Outbox(store, [down, up], UTC)
    outbox.deliver(NOW)
    assert up.sent == [key] and down.sent == []
    assert store.deliveries_of(key)["down"] == ("pending", 1)
    down.down = False
    assert outbox.deliver(NOW + timedelta(seconds=1)) == 0  # not before its retry time
    assert outbox.deliver(NOW + retry_delay(1)) == 1
    assert down.sent == [key] and up.sent == [key]


def test_a_channel_added_later_does_not_replay_old_alerts(store):
    old = Recording("old")
    add(store)
    Outbox(store, [old], UTC).deliver(NOW)
    new = Recording("new")
    Outbox(store, [old, new], UTC).deliver(NOW + timedelta(hours=1))
    assert new.sent == []


def test_retries_back_off_to_a_cap():
    assert retry_delay(1) == timedelta(seconds=30)
    assert retry_delay(2) == timedelta(seconds=60)
    assert retry_delay(50) == timedelta(minutes=30)


def test_quiet_hours_defer_ordinary_alerts_and_let_urgent_ones_through(store):
    channel = Recording("c")
    ordinary = add(store, "parcel_stalled", timedelta(days=9))
    proposal = add(store, "proposal_waiting", timedelta(days=6))
    close = add(store, "protection_ending", timedelta(hours=20))
    outbox = Outbox(store, [channel], UTC, (time(22), time(8)))
    night = NOW.replace(hour=23)
    outbox.deliver(night)
    assert sorted(channel.sent) == sorted([proposal, close])
    outbox.deliver(NOW.replace(hour=8, minute=1) + timedelta(days=1))
    assert channel.sent[-1] == ordinary


def test_quiet_hours_may_cross_midnight():
    span = (time(22), time(8))
    assert in_quiet_hours(NOW.replace(hour=23), UTC, span)
    assert in_quiet_hours(NOW.replace(hour=3), UTC, span)
    assert not in_quiet_hours(NOW.replace(hour=12), UTC, span)
    assert not in_quiet_hours(NOW.replace(hour=3), UTC, None)


@pytest.mark.real_server
def test_smtp_down_for_a_while_then_up_delivers_each_alert_exactly_once(store, smtp_server):
    settings = Settings(
        **{k.removeprefix("ALIWATCH_").lower(): v for k, v in smtp_server.env().items()}
    )
    keys = [add(store, "parcel_stalled", timedelta(days=d)) for d in (9, 10, 11)]
    outbox = Outbox(store, [EmailChannel(settings.smtp())], UTC)
    smtp_server.stop()
    when = NOW
    for attempt in range(1, 4):  # three passes while the server is down
        assert outbox.deliver(when) == 0
        when += retry_delay(attempt)
    smtp_server.start()
    assert outbox.deliver(when) == 3
    for _ in range(3):
        when += timedelta(hours=1)
        assert outbox.deliver(when) == 0
    assert smtp_server.recorder.wait_for(3, 10)
    assert len(smtp_server.messages) == 3
    assert {store.alert(k).state for k in keys} == {"sent"}


class Broken(Recording):
    def send(self, alert: Outgoing) -> None:
        raise TypeError("a bug in a channel")


def test_a_channel_that_crashes_is_retried_like_a_failed_one_and_the_others_go_on(store):
    broken, fine = Broken("broken"), Recording("fine")
    key = add(store)
    Outbox(store, [broken, fine], UTC).deliver(NOW)
    assert fine.sent == [key]
    assert store.deliveries_of(key)["broken"] == ("pending", 1)


class FillsTheDisk(Recording):
    """Sends, and then the disk is full: the send went out but cannot be recorded."""

    def __init__(self, name: str, stack: ExitStack) -> None:
        super().__init__(name)
        self.stack: ExitStack | None = stack

    def send(self, alert: Outgoing) -> None:
        super().send(alert)
        if self.stack is not None:
            self.stack.enter_context(disk_full())


def test_a_send_the_store_cannot_record_is_never_sent_again(store, capsys):
    # capsys: log lines go to memory, as they go to the journal (a pipe) in service.
    first, second = add(store), add(store, due=timedelta(days=8))
    with ExitStack() as stack:
        channel = FillsTheDisk("a", stack)
        outbox = Outbox(store, [channel], UTC)
        store.fan_out(["a"], NOW)
        with pytest.raises(StoreError):
            outbox.send_due(NOW)
        assert len(channel.sent) == 1  # the disk filled up right after the first send
        with pytest.raises(StoreError):  # still full: nothing more goes out meanwhile
            outbox.send_due(NOW + timedelta(minutes=1))
        assert len(channel.sent) == 1
    channel.stack = None  # the disk has room again
    assert outbox.send_due(NOW + timedelta(minutes=2)) == 1  # only the second alert
    assert sorted(channel.sent) == sorted([first, second])
    assert {store.alert(k).state for k in (first, second)} == {"sent"}


def _worker_that_fills_the_disk(tmp_path, store, monkeypatch, stack):
    """A delivery worker whose one send fills the disk; the Event is set once its store has
    tried (and failed) to record that send."""
    tried = threading.Event()
    original = Store.delivered

    def delivered(self: Store, *args: object, **kwargs: object) -> bool:
        try:
            return original(self, *args, **kwargs)  # type: ignore[arg-type]
        finally:
            tried.set()

    monkeypatch.setattr(Store, "delivered", delivered)
    channel = FillsTheDisk("a", stack)
    worker = DeliveryWorker(channel, store.path, UTC, None, lambda: NOW)
    key = add(store)
    store.fan_out(["a"], NOW)
    worker.start()
    worker.wake()
    assert tried.wait(10)
    return worker, channel, key


def test_a_stop_records_a_send_the_full_disk_refused_once_there_is_room(
    tmp_path, store, monkeypatch, capsys
):
    """Only memory holds such a send: were it not recorded before the worker ends, the next
    start would send it again (make faults, seed 14: room came back, then a stop)."""
    with ExitStack() as stack:
        worker, channel, key = _worker_that_fills_the_disk(tmp_path, store, monkeypatch, stack)
    worker.stop()  # the disk has room again; the worker's next try is a while away
    assert worker.join(10)
    assert channel.sent == [key]
    assert store.deliveries_of(key)["a"][0] == "sent"


def test_a_stop_while_the_disk_is_still_full_says_the_send_will_come_again(
    tmp_path, store, monkeypatch, capsys
):
    with ExitStack() as stack:
        worker, _, key = _worker_that_fills_the_disk(tmp_path, store, monkeypatch, stack)
        worker.stop()
        assert worker.join(10)
    assert store.deliveries_of(key)["a"][0] == "pending"
    assert "alerts_sent_unrecorded" in capsys.readouterr().out  # the console log format here


def test_the_most_urgent_alert_goes_first_whatever_came_before_it(store):
    ordinary = [add(store, "parcel_stalled", timedelta(days=d)) for d in range(10, 60)]
    proposal = add(store, "proposal_waiting", timedelta(days=6))
    soon = add(store, "protection_ending", timedelta(hours=20))
    channel = Recording("c")
    Outbox(store, [channel], UTC).deliver(NOW)
    assert channel.sent[:2] == [soon, proposal] or channel.sent[:2] == [proposal, soon]
    assert channel.sent[2:] == ordinary  # then the soonest deadline first


def test_an_acknowledged_alert_is_not_sent_even_after_a_failed_try(store):
    channel = Recording("c")
    channel.down = True
    key = add(store)
    outbox = Outbox(store, [channel], UTC)
    outbox.deliver(NOW)
    with store._write() as db:  # what `aliwatch ack` does to the alert (it needs a known order)
        db.execute("UPDATE alerts SET state = 'acked' WHERE key = ?", (key,))
    channel.down = False
    outbox.deliver(NOW + timedelta(hours=2))
    assert channel.sent == []


def test_a_delivery_another_process_claimed_is_left_to_it(store):
    key = add(store)
    store.fan_out(["c"], NOW)
    assert store.claim(key, "c", "pid 1", NOW, NOW + timedelta(minutes=15))
    assert not store.claim(key, "c", "pid 2", NOW, NOW + timedelta(minutes=15))
    channel = Recording("c")
    Outbox(store, [channel], UTC, owner="pid 2").deliver(NOW)
    assert channel.sent == []
    # A claim that ran out (its process died mid-send) is taken over; release drops them all.
    Outbox(store, [channel], UTC, owner="pid 2").deliver(NOW + timedelta(minutes=16))
    assert channel.sent == [key]
    assert store.release_claims() == 0
