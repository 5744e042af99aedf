"""The database engine, its migrations and the per-request session."""

from __future__ import annotations

import fcntl
import logging
import os
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Concatenate, ParamSpec, TypeVar
from weakref import WeakKeyDictionary

from fastapi import Depends, Request
from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlmodel import Session, create_engine
from starlette.concurrency import run_in_threadpool

if TYPE_CHECKING:
    from backend.settings import Settings

Params = ParamSpec("Params")
Result = TypeVar("Result")

ALEMBIC_INI = Path(__file__).parent / "alembic.ini"


class _WriterLock:
    """One writer at a time on a SQLite file: among this process's threads, then among the
    processes of `wfd serve --workers N` (an exclusive flock on a file beside the database)."""

    def __init__(self, database: str | None) -> None:
        self.thread_lock = threading.Lock()
        self.path = f"{database}.writer-lock" if database and database != ":memory:" else None

    @contextmanager
    def held(self) -> Iterator[None]:
        with self.thread_lock:
            if self.path is None:
                yield
                return
            descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX)
                yield
            finally:
                os.close(descriptor)  # closing the last descriptor releases the lock


_SQLITE_WRITE_LOCKS: WeakKeyDictionary[Engine, _WriterLock] = WeakKeyDictionary()


def normalise_url(url: str) -> str:
    """`postgres://` and `postgresql://` mean psycopg 3, the driver this project installs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def make_engine(database_url: str) -> Engine:
    url = make_url(normalise_url(database_url))
    if url.get_backend_name() != "sqlite":
        return create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    # a writer waits up to 30 s for the lock instead of failing with "database is locked"
    engine = create_engine(
        url, connect_args={"timeout": 30}, pool_size=10, max_overflow=30, pool_timeout=60
    )
    event.listen(engine, "connect", _sqlite_pragmas)
    _SQLITE_WRITE_LOCKS[engine] = _WriterLock(url.database)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL: readers never block the writer; synchronous=FULL: an acknowledged commit survives
    # a power cut, not only a crash of the process.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


@contextmanager
def writing(session: Session) -> Iterator[None]:
    """Around every write: on SQLite, one writer at a time, in this process and the others.

    SQLite lets one connection write at a time; a writer that finds the file locked sleeps in
    growing steps (up to 100 ms) before it tries again, so with many saves at once the sleeps,
    not the work, would set the latency. Writers queued on a lock hand the file over at once.
    PostgreSQL locks the rows it changes and needs nothing here. Whatever the block leaves
    uncommitted is rolled back before the lock is released.
    """
    lock = _SQLITE_WRITE_LOCKS.get(session.get_bind().engine)
    if lock is None:
        yield
        return
    with lock.held():
        try:
            yield
        finally:
            if session.in_transaction():
                session.rollback()


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision."""
    # imported here: Alembic is only needed at start-up, and it is slow to import
    from alembic import command
    from alembic.config import Config

    config = Config(str(ALEMBIC_INI))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def prepare_database(settings: Settings) -> None:
    """Migrations, then the samples when the database is empty: once, before any worker."""
    engine = make_engine(settings.database_url)
    try:
        migrate(engine)
        if settings.seed_when_empty:
            seed_when_empty(engine)
    finally:
        engine.dispose()


def seed_when_empty(engine: Engine) -> None:
    """The first start on an empty database brings the sample projects along."""
    import samples
    from backend.services.seed import is_empty, seed

    with Session(engine) as session:
        if is_empty(session):
            for line in seed(session, samples.documents()):
                logging.getLogger(__name__).info("seed: %s", line)


async def get_session(request: Request) -> AsyncIterator[Session]:
    engine: Engine = request.app.state.engine
    with Session(engine) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


async def run(
    session: Session,
    work: Callable[Concatenate[Session, Params], Result],
    *args: Params.args,
    **kwargs: Params.kwargs,
) -> Result:
    """`work(session, ...)` in the thread pool, on SQLite as on PostgreSQL.

    The loop only hands requests over: a diff of two large versions, an export or an import
    runs beside it, and `/api/health` or a small save is answered meanwhile. SQLite's writers
    still take turns through `writing`; a PostgreSQL call may wait on the network or on a row
    lock another server holds, which the loop must not wait for either.
    """
    return await run_in_threadpool(work, session, *args, **kwargs)
