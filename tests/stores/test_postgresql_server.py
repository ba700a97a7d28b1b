"""The PostgreSQL server the stores will use is real, reachable through psycopg, and isolated.

These tests need ``PRODLIFE_POSTGRESQL_URL`` (``.ci/run`` starts a server); without it they
skip, and under CI they fail. The fixtures' own rules are tested without a server.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from prodlife.lifecycle import Service
from prodlife.lifecycle.data import service_from_data, service_to_data
from prodlife.testing.strategies import services
from tests.stores._postgresql import (
    SKIP_MESSAGE,
    URL_VARIABLE,
    IsolatedSchema,
    isolated_schema,
    postgresql_url_from,
    under_ci,
)

URL = "postgresql://prodlife@127.0.0.1:5432/prodlife"


# --- the fixtures' rules (no server needed) ---------------------------------------------


def test_without_a_url_the_postgresql_tests_skip_saying_how_to_get_a_server() -> None:
    with pytest.raises(pytest.skip.Exception, match="PRODLIFE_POSTGRESQL_URL=postgresql://"):
        postgresql_url_from({})


@pytest.mark.parametrize("ci", ["true", "1", "yes", "TRUE"])
def test_under_ci_a_missing_url_fails_instead_of_skipping(ci: str) -> None:
    with pytest.raises(pytest.fail.Exception, match="CI is set"):
        postgresql_url_from({"CI": ci, URL_VARIABLE: " "})


@pytest.mark.parametrize("ci", ["", "0", "false", "no"])
def test_a_false_ci_variable_is_not_ci(ci: str) -> None:
    assert not under_ci({"CI": ci})
    with pytest.raises(pytest.skip.Exception):
        postgresql_url_from({"CI": ci})


def test_a_given_url_is_used_as_it_is() -> None:
    assert postgresql_url_from({URL_VARIABLE: f" {URL}\n", "CI": "true"}) == URL
    assert "PRODLIFE_POSTGRESQL_URL" in SKIP_MESSAGE


# --- the server ---------------------------------------------------------------------------


def test_the_server_answers_through_psycopg(postgresql: Any) -> None:
    assert postgresql.execute("SELECT 1 + 1").fetchone() == (2,)
    assert postgresql.info.server_version >= 130000
    assert postgresql.execute("SHOW server_encoding").fetchone() == ("UTF8",)


def test_each_test_starts_in_an_empty_schema_of_its_own(
    postgresql: Any, postgresql_schema: IsolatedSchema
) -> None:
    assert postgresql.execute("SELECT current_schema()").fetchone() == (postgresql_schema.name,)
    tables = postgresql.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = %s",
        (postgresql_schema.name,),
    ).fetchone()
    assert tables == (0,)


def test_values_round_trip_through_bound_parameters(postgresql: Any) -> None:
    from psycopg.types.json import Jsonb

    postgresql.execute(
        "CREATE TABLE services (id text PRIMARY KEY, amount numeric NOT NULL, start date,"
        " changed_at timestamptz, document jsonb)"
    )
    tricky = "S-1'); DROP TABLE services; --"
    changed_at = datetime(2025, 1, 31, 23, 30, tzinfo=timezone(timedelta(hours=9)))
    document = {"status": "active", "amount": "10.00", "tags": ["a", "ü"]}
    postgresql.execute(
        "INSERT INTO services VALUES (%s, %s, %s, %s, %s)",
        (tricky, Decimal("10.005"), date(2025, 1, 31), changed_at, Jsonb(document)),
    )
    postgresql.commit()

    row = postgresql.execute(
        "SELECT id, amount, start, changed_at, document FROM services WHERE id = %s", (tricky,)
    ).fetchone()

    assert row == (tricky, Decimal("10.005"), date(2025, 1, 31), changed_at, document)
    assert row[3].utcoffset() is not None and row[3].astimezone(UTC) == changed_at


def _insert_then_fail(connection: Any) -> None:
    with connection.transaction():
        connection.execute("INSERT INTO events VALUES (%s), (%s)", (1, 2))
        assert connection.execute("SELECT count(*) FROM events").fetchone() == (2,)
        raise RuntimeError("abandon the transaction")


def test_a_rolled_back_transaction_leaves_nothing(postgresql: Any) -> None:
    postgresql.execute("CREATE TABLE events (n integer NOT NULL)")
    postgresql.commit()

    with pytest.raises(RuntimeError, match="abandon"):
        _insert_then_fail(postgresql)
    postgresql.execute("INSERT INTO events VALUES (%s)", (3,))
    postgresql.rollback()

    assert postgresql.execute("SELECT count(*) FROM events").fetchone() == (0,)


def test_schemas_are_unique_and_dropped_with_their_tables(postgresql_url: str) -> None:
    import psycopg

    with isolated_schema(postgresql_url) as first, isolated_schema(postgresql_url) as second:
        assert first.name != second.name
        with psycopg.connect(first.conninfo) as connection:
            connection.execute("CREATE TABLE kept_until_the_end (n integer)")
        with psycopg.connect(second.conninfo) as connection:
            found = connection.execute("SELECT to_regclass('kept_until_the_end')").fetchone()
            assert found == (None,)

    with psycopg.connect(postgresql_url) as connection:
        left = connection.execute(
            "SELECT count(*) FROM pg_namespace WHERE nspname IN (%s, %s)",
            (first.name, second.name),
        ).fetchone()
    assert left == (0,)


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(service=services(max_operations=4))
def test_a_service_document_comes_back_equal_from_jsonb(postgresql: Any, service: Service) -> None:
    from psycopg.types.json import Jsonb

    postgresql.execute("CREATE TABLE IF NOT EXISTS documents (id serial, body jsonb NOT NULL)")
    (key,) = postgresql.execute(
        "INSERT INTO documents (body) VALUES (%s) RETURNING id", (Jsonb(service_to_data(service)),)
    ).fetchone()
    (body,) = postgresql.execute("SELECT body FROM documents WHERE id = %s", (key,)).fetchone()
    postgresql.rollback()

    assert service_from_data(body) == service
