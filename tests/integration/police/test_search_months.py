"""A name search on PostgreSQL reads month by month (queries.month_by_month) and must give exactly
what the one ordered query gives, page by page, although rows are ordered by when they were
received and stored by the month their notification was made: late deliveries cross months."""
import random
from datetime import timedelta

import pytest

from accommnotify.extensions import db
from accommnotify.ids import encode
from accommnotify.models.police import Officer
from accommnotify.police import queries
from accommnotify.timeutil import utcnow
from tests.conftest import postgres_only

from .helpers import WARD_A, WARD_B, add_notification, add_officer, in_app


def _made_at(when) -> str:
    return f"ntf_{encode((int(when.timestamp() * 1000) << 80) | random.getrandbits(80))}"


@postgres_only
@pytest.mark.parametrize("held_rows", [queries.MONTH_BY_MONTH_ROWS, 10])
def test_month_by_month_pages_equal_the_one_query(papp, monkeypatch, held_rows):
    """(With 10, the pages past the first rows come from the one query itself: the same pages.)"""
    monkeypatch.setattr(queries, "MONTH_BY_MONTH_ROWS", held_rows)
    random.seed(14)
    now = utcnow()
    with in_app(papp):
        officer = db.session.get(Officer, add_officer("o", f"ward:{WARD_A}"))
        late = set()
        for i in range(90):
            made = now - timedelta(days=random.uniform(0, 150))
            # most arrive within minutes; some a month or two late (a receiver down); none in the future
            delay = timedelta(days=random.uniform(20, 70)) if i % 7 == 0 else timedelta(minutes=random.uniform(1, 600))
            received = min(made + delay, now)
            name = "Nguyễn Văn An" if i % 3 else "Trần Thị Bình"
            nid = add_notification(id=_made_at(made), received_at=received, full_name=name,
                                   ward=WARD_A if i % 5 else WARD_B)
            if made.month != received.month:
                late.add(nid)
        # a sender whose clock runs ahead: its notification's month is next month
        add_notification(id=_made_at(now + timedelta(days=40)), received_at=now, full_name="Nguyễn Văn An")
        # one kept from long ago (an open stay's row in the held partition)
        add_notification(id=_made_at(now - timedelta(days=700)), received_at=now - timedelta(days=699),
                         full_name="Nguyễn Văn An")

        f = queries.Filters(q="nguyen van an")
        one_query = queries.newest_first(queries.apply_filters(queries.scoped(officer), f))
        everything = db.session.scalars(one_query).all()
        assert len(everything) > 40 and len(late & {r.id for r in everything}) > 3
        for size in (1, 3, 7, 50):
            page, shown = 1, []
            while True:
                rows, has_next = queries.inbox_page(officer, f, page=page, size=size)
                expected = everything[(page - 1) * size: page * size]
                assert [r.id for r in rows] == [r.id for r in expected], (size, page)
                assert has_next == (len(everything) > page * size)
                shown += rows
                if not has_next:
                    break
                page += 1
            assert [r.id for r in shown] == [r.id for r in everything]
        db.session.rollback()
