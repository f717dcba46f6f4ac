"""The built-in ``inbox`` receiver (the default one) against the database: a malformed item is
rejected with its wire code while the rest of the batch is stored, and a database that cannot store
the batch makes it a retry (the dispatcher tries again later), not a loss."""
from accommnotify.inbox import stored_ids
from accommnotify.receivers.base import Batch
from accommnotify.receivers.inbox import InboxReceiver
from accommnotify.timeutil import utcnow
from tests.conftest import make_app
from tests.integration.police.wire_samples import foreigner_notification, wire_notification


def _batch(notifications):
    return Batch("bat_inbox0001", "police-inbox", "accommnotify", utcnow(), notifications)


def test_a_malformed_item_is_rejected_and_the_others_stored(app):
    good, other = wire_notification(), foreigner_notification()
    bad = dict(wire_notification(), category="tourist")
    with app.app_context():
        delivery = InboxReceiver("police-inbox").send(_batch([good, bad, other]))
    assert delivery.outcomes[good["id"]].status == "accepted"
    assert delivery.outcomes[good["id"]].receipt == f"inbox:{good['id']}"
    assert delivery.outcomes[other["id"]].status == "accepted"
    rejected = delivery.outcomes[bad["id"]]
    assert rejected.status == "rejected" and rejected.code == "wire.invalid" and "category" in rejected.message
    assert delivery.excerpt == "stored 2 of 3 into the inbox"
    with app.app_context():
        assert stored_ids([good["id"], bad["id"], other["id"]]) == {good["id"], other["id"]}


def test_a_database_that_cannot_store_makes_the_whole_batch_a_retry(tmp_path, caplog):
    app = make_app(f"sqlite:///{tmp_path}/no-such-folder/inbox.db")  # the database is not there
    items = [wire_notification(), wire_notification()]
    with app.app_context():
        delivery = InboxReceiver("police-inbox").send(_batch(items))
    assert {o.status for o in delivery.outcomes.values()} == {"retry"}
    assert set(delivery.outcomes) == {i["id"] for i in items}
    assert delivery.error_class == "OperationalError"
    assert "inbox store failed (OperationalError)" in caplog.text and "Nguyễn" not in caplog.text
