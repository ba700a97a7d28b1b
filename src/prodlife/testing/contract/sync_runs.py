"""The contract of the sync run repository: ids, not found, newest first, limits, values."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prodlife.catalog.sync_definition import SyncDefinition, SyncMode
from prodlife.catalog.sync_runs import FileFormat, RowError, RowOutcome, RowResult, SyncRun
from prodlife.errors import NotFound, StoreError, ValidationError
from prodlife.ports import Store
from prodlife.testing.contract._support import StoreFixture, fail_inside, read, write
from prodlife.testing.contract._values import HOUR, NEW_YORK, T0, TOKYO, make_run

__all__ = ["SyncRunContract"]


_ROWS = st.lists(
    st.builds(
        RowResult,
        st.integers(1, 10**6),
        st.sampled_from(RowOutcome),
        st.none() | st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=8),
        st.lists(
            st.builds(
                RowError,
                st.sampled_from(["value.date", "row.duplicate", "product.validity"]),
                st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=20),
                st.none() | st.sampled_from(["code", "valid_from", "udf_date_1"]),
            ),
            max_size=2,
        ),
    ),
    max_size=5,
)


class SyncRunContract(StoreFixture):
    """Sync runs: ids, not found, newest first, limits, rollback, values read back equal."""

    def test_a_run_reads_back_equal_under_the_id_add_returned(self, store: Store) -> None:
        first, second = make_run(), make_run("other.xml", T0.astimezone(TOKYO))
        ids: list[int] = []
        write(store, lambda uow: ids.extend((uow.sync_runs.add(first), uow.sync_runs.add(second))))
        assert ids[0] < ids[1]
        assert read(store, lambda uow: uow.sync_runs.get(ids[0])) == first
        assert read(store, lambda uow: uow.sync_runs.get(ids[1])) == second

    def test_a_run_reads_back_in_the_transaction_that_added_it(self, store: Store) -> None:
        with store.transaction() as uow:
            key = uow.sync_runs.add(make_run())
            assert uow.sync_runs.get(key) == make_run()
            assert [item.run for item in uow.sync_runs.recent()] == [make_run()]

    def test_get_of_an_unknown_id_raises_not_found(self, store: Store) -> None:
        with store.transaction() as uow, pytest.raises(NotFound):
            uow.sync_runs.get(1)
        key: list[int] = []
        write(store, lambda uow: key.append(uow.sync_runs.add(make_run())))
        for unknown in (key[0] + 1, 0, -1, 2**70):
            with store.transaction() as uow, pytest.raises(NotFound):
                uow.sync_runs.get(unknown)

    def test_get_of_an_id_that_is_not_an_int_raises_type_error(self, store: Store) -> None:
        for wrong in ("1", 1.0, True):
            with store.transaction() as uow, pytest.raises(TypeError):
                uow.sync_runs.get(wrong)  # type: ignore[arg-type]

    def test_add_of_something_else_than_a_run_raises_validation_error(self, store: Store) -> None:
        with store.transaction() as uow, pytest.raises(ValidationError):
            uow.sync_runs.add("products.csv")  # type: ignore[arg-type]

    def test_a_run_holding_text_no_store_keeps_is_refused(self, store: Store) -> None:
        with pytest.raises(ValidationError):
            write(store, lambda uow: uow.sync_runs.add(make_run("bad\x00.csv")))
        assert read(store, lambda uow: uow.sync_runs.recent()) == []

    def test_recent_is_newest_first_then_highest_id(self, store: Store) -> None:
        runs = [
            make_run("a.csv", T0 + HOUR),
            make_run("b.csv", T0.astimezone(NEW_YORK)),
            make_run("c.csv", (T0 + 2 * HOUR).astimezone(TOKYO)),
            make_run("d.csv", T0),
            make_run("e.csv", T0 + HOUR),
        ]
        ids: dict[str, int] = {}

        def add(uow: object) -> None:
            for run in runs:
                ids[run.file_name] = uow.sync_runs.add(run)  # type: ignore[attr-defined]

        write(store, add)
        recent = read(store, lambda uow: uow.sync_runs.recent())
        assert [item.run.file_name for item in recent] == [
            "c.csv",
            "e.csv",
            "a.csv",
            "d.csv",
            "b.csv",
        ]
        assert all(item.id == ids[item.run.file_name] for item in recent)
        assert all(item.run in runs for item in recent)
        assert [
            item.run.file_name for item in read(store, lambda uow: uow.sync_runs.recent(2))
        ] == [
            "c.csv",
            "e.csv",
        ]
        assert read(store, lambda uow: uow.sync_runs.recent(0)) == []
        assert read(store, lambda uow: uow.sync_runs.recent(10)) == recent

    def test_recent_refuses_a_negative_or_non_integer_limit(self, store: Store) -> None:
        for wrong in (-1, 1.5, True):
            with store.transaction() as uow, pytest.raises(ValidationError):
                uow.sync_runs.recent(wrong)  # type: ignore[arg-type]

    def test_a_rolled_back_run_is_not_kept(self, store: Store) -> None:
        with pytest.raises(RuntimeError):
            fail_inside(store, lambda uow: uow.sync_runs.add(make_run()), RuntimeError("crash"))
        assert read(store, lambda uow: uow.sync_runs.recent()) == []
        with store.transaction() as uow, pytest.raises(NotFound):
            uow.sync_runs.get(1)

    def test_a_read_only_transaction_refuses_to_add_a_run(self, store: Store) -> None:
        with store.transaction(readonly=True) as uow, pytest.raises(StoreError):
            uow.sync_runs.add(make_run())
        assert read(store, lambda uow: uow.sync_runs.recent()) == []

    def test_any_run_reads_back_equal(self, store: Store) -> None:
        @self.hypothesis_settings()
        @given(rows=_ROWS, name=st.text(st.characters(codec="utf-8", exclude_characters="\x00")))
        def round_trip(rows: list[RowResult], name: str) -> None:
            run = SyncRun(
                SyncDefinition("A"), name, FileFormat.XML, SyncMode.ALL_OR_NOTHING, T0, T0, rows
            )
            key: list[int] = []
            write(store, lambda uow: key.append(uow.sync_runs.add(run)))
            assert read(store, lambda uow: uow.sync_runs.get(key[0])) == run

        round_trip()
