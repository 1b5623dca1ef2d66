"""The intake service's submissions as a durable queue (intake.md, "Submissions"): one
submission per file, one worker per submission, and nothing lost when the service is killed
in the middle; on SQLite and PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from registry.database.store import make_engine
from registry.intake.queue import claim, finish, receive, recover
from tests.conftest import Database
from tests.intake.conftest import DB_KINDS


def _states(db: Database) -> dict[str, str]:
    with db.engine.connect() as connection:
        rows = connection.execute(text("SELECT submission_id, state FROM intake_submissions"))
        return {str(submission): str(state) for submission, state in rows}


@pytest.mark.parametrize("db", DB_KINDS, indirect=True)
def test_the_same_file_twice_is_one_submission(db: Database) -> None:
    first = receive(db.engine, "SITE1", "a" * 64, "/spool/1.zip", "token:x")
    again = receive(db.engine, "SITE1", "a" * 64, "/spool/2.zip", "token:x")
    assert first.created and not again.created and again.submission_id == first.submission_id
    other_site = receive(db.engine, "SITE2", "a" * 64, "/spool/3.zip", "token:y")
    assert other_site.created  # another site's identical file is its own submission
    assert len(_states(db)) == 2


@pytest.mark.parametrize("db", DB_KINDS, indirect=True)
def test_a_submission_goes_through_its_states(db: Database) -> None:
    sub = receive(db.engine, "SITE1", "b" * 64, "/spool/b.zip", "user:dm").submission_id
    taken = claim(db.engine, "w1")
    assert taken is not None and taken.submission_id == sub and taken.state == "validating"
    assert claim(db.engine, "w2") is None  # nothing else waits
    assert not finish(db.engine, sub, "w2", "accepted")  # w2 does not hold it
    assert finish(db.engine, sub, "w1", "accepted", errors=0, warnings=3, records=120)
    loading = claim(db.engine, "w2")
    assert loading is not None and loading.state == "loading"
    assert finish(db.engine, sub, "w2", "loaded")
    assert _states(db) == {sub: "loaded"}
    assert not finish(db.engine, sub, "w2", "loaded")  # a final state is not left again
    with pytest.raises(ValueError, match="unknown state"):
        finish(db.engine, sub, "w2", "done")


@pytest.mark.parametrize("db", DB_KINDS, indirect=True)
def test_a_killed_service_takes_up_what_it_was_doing(db: Database) -> None:
    a = receive(db.engine, "SITE1", "c" * 64, "/spool/c.zip", "user:dm").submission_id
    b = receive(db.engine, "SITE1", "d" * 64, "/spool/d.zip", "user:dm").submission_id
    assert claim(db.engine, "w1") is not None  # a: validating
    assert claim(db.engine, "w1") is not None  # b: validating
    assert finish(db.engine, b, "w1", "accepted")
    assert claim(db.engine, "w1") is not None  # b: loading
    # the service dies here; on restart:
    assert recover(db.engine) == 2
    assert _states(db) == {a: "received", b: "accepted"}
    again = claim(db.engine, "w9")
    assert again is not None and again.submission_id == a and again.attempts == 2
    assert not finish(db.engine, a, "w1", "rejected")  # the dead worker's late word is void


@pytest.mark.parametrize("db", DB_KINDS, indirect=True)
def test_no_submission_is_taken_up_twice_at_once(db: Database) -> None:
    """Eight workers claim at once from their own connections: each of 40 submissions is
    taken by exactly one of them."""
    ids = {
        receive(db.engine, "SITE1", f"{i:064x}", f"/spool/{i}.zip", "token:t").submission_id
        for i in range(40)
    }
    taken: list[str] = []
    lock = threading.Lock()

    def work(name: str) -> None:
        engine = make_engine(db.url)
        try:
            while (sub := claim(engine, name)) is not None:
                with lock:
                    taken.append(sub.submission_id)
        finally:
            engine.dispose()

    workers = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(8)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=120)
    assert sorted(taken) == sorted(ids)  # every one, none twice
    assert set(_states(db).values()) == {"validating"}
