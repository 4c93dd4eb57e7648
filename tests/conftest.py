"""Shared fixtures: a real embedded PostgreSQL for the session (never a mock), a fresh
database per test that needs one, and small generated worlds."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import psycopg
import pytest


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory) -> str:
    """Admin DSN of a PostgreSQL: $LINDUNGI_TEST_DSN, else an embedded server for this session."""
    if os.environ.get("LINDUNGI_TEST_DSN"):
        yield os.environ["LINDUNGI_TEST_DSN"]
        return
    from pipelines import db

    state = tmp_path_factory.mktemp("lindungi-state")
    dsn = db.embedded_start(state)
    yield dsn
    db.embedded_stop(state)


@pytest.fixture
def pg_dsn(pg_server) -> str:
    """A fresh, empty database on the session's server."""
    name = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base, _, query = pg_server.partition("?")
    head = base.rsplit("/", 1)[0]
    yield f"{head}/{name}" + (f"?{query}" if query else "")
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def small_world(tmp_path_factory) -> Path:
    """A 3,000-resident generated world (CSV) with ground truth, shared by the session."""
    from pipelines.generate import generate_world

    out = tmp_path_factory.mktemp("world")
    generate_world(out, residents=3000, seed=7)
    return out
