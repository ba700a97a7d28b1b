"""The contract of the event outbox: insertion order, unpublished, published."""

from __future__ import annotations

import attrs
from hypothesis import given
from hypothesis import strategies as st

from prodlife.lifecycle.events import Event, EventKind
from prodlife.ports import Store, StoredEvent
from prodlife.testing.contract._support import StoreFixture, read, write
from prodlife.testing.contract._values import _CODE, _INSTANTS, _TEXT, HOUR, T0, TOKYO, make_event

_EVENTS = st.builds(
    Event,
    st.sampled_from(EventKind),
    _CODE,
    _CODE,
    _INSTANTS,
    st.lists(st.tuples(_TEXT, _TEXT), max_size=3).map(tuple),
)


class EventOutboxContract(StoreFixture):
    """The outbox: insertion order, unpublished, mark_published, events read back equal."""

    def test_events_are_stored_unpublished_in_insertion_order_numbered_from_one(
        self, store: Store
    ) -> None:
        events = [
            make_event("S-1", EventKind.SUSPENDED, T0.astimezone(TOKYO)),
            make_event("S-2", EventKind.ACTIVATED, T0 - HOUR),
            make_event("S-1", EventKind.UNSUSPENDED, T0 + HOUR),
        ]
        with store.transaction() as uow:
            uow.events.add(events[:2])
            uow.events.add([])
            uow.events.add(events[2:])
            uow.commit()
        waiting = read(store, lambda uow: uow.events.unpublished())
        assert waiting == [StoredEvent(i, e) for i, e in enumerate(events, start=1)]
        assert all(not item.published for item in waiting)

    def test_unpublished_returns_at_most_limit(self, store: Store) -> None:
        events = [make_event(f"S-{i}") for i in range(5)]
        write(store, lambda uow: uow.events.add(events))
        with store.transaction() as uow:
            assert [item.event for item in uow.events.unpublished(2)] == events[:2]
            assert [item.event for item in uow.events.unpublished(10)] == events
            assert uow.events.unpublished(0) == []

    def test_mark_published_takes_events_out_of_unpublished(self, store: Store) -> None:
        events = [make_event("S-1", at=T0 + i * HOUR) for i in range(4)]
        write(store, lambda uow: uow.events.add(events))
        waiting = read(store, lambda uow: uow.events.unpublished())
        write(
            store, lambda uow: uow.events.mark_published([waiting[2].sequence, waiting[0].sequence])
        )
        with store.transaction() as uow:
            assert uow.events.unpublished() == [waiting[1], waiting[3]]
            assert uow.events.for_service("S-1") == [
                attrs.evolve(waiting[0], published=True),
                waiting[1],
                attrs.evolve(waiting[2], published=True),
                waiting[3],
            ]
            uow.events.mark_published([waiting[0].sequence, waiting[3].sequence])
            uow.commit()
        assert read(store, lambda uow: uow.events.unpublished()) == [waiting[1]]

    def test_mark_published_ignores_unknown_sequences(self, store: Store) -> None:
        write(store, lambda uow: uow.events.add([make_event()]))
        before = read(store, lambda uow: uow.events.unpublished())
        write(store, lambda uow: uow.events.mark_published([0, -1, before[0].sequence + 1000]))
        assert read(store, lambda uow: uow.events.unpublished()) == before

    def test_marking_is_rolled_back_with_its_transaction(self, store: Store) -> None:
        write(store, lambda uow: uow.events.add([make_event(), make_event("S-2")]))
        before = read(store, lambda uow: uow.events.unpublished())
        with store.transaction() as uow:
            uow.events.mark_published([item.sequence for item in before])
            assert uow.events.unpublished() == []
        assert read(store, lambda uow: uow.events.unpublished()) == before

    def test_events_added_later_come_after_published_ones(self, store: Store) -> None:
        write(store, lambda uow: uow.events.add([make_event()]))
        first = read(store, lambda uow: uow.events.unpublished())
        write(store, lambda uow: uow.events.mark_published([first[0].sequence]))
        with store.transaction() as uow:
            uow.events.add([make_event(kind=EventKind.RENEWED)])
            uow.commit()
        with store.transaction() as uow:
            waiting = uow.events.unpublished()
            assert [item.event.kind for item in waiting] == [EventKind.RENEWED]
            assert waiting[0].sequence > first[0].sequence
            history = uow.events.for_service("S-1")
            assert [(e.event.kind, e.published) for e in history] == [
                (EventKind.SUSPENDED, True),
                (EventKind.RENEWED, False),
            ]

    def test_for_service_returns_only_its_events_in_insertion_order(self, store: Store) -> None:
        events = [make_event("S-1"), make_event("S-2"), make_event("S-1", EventKind.RENEWED)]
        write(store, lambda uow: uow.events.add(events))
        with store.transaction() as uow:
            assert [e.event for e in uow.events.for_service("S-1")] == [events[0], events[2]]
            assert uow.events.for_service("S-404") == []

    def test_events_are_rolled_back_with_their_transaction(self, store: Store) -> None:
        with store.transaction() as uow:
            uow.events.add([make_event()])
        assert read(store, lambda uow: uow.events.unpublished()) == []

    def test_events_read_back_equal_to_what_was_written(self, store: Store) -> None:
        @self.hypothesis_settings()
        @given(events=st.lists(_EVENTS, min_size=1, max_size=4))
        def round_trip(events: list[Event]) -> None:
            with store.transaction() as uow:
                uow.events.add(events)
                uow.commit()
            with store.transaction() as uow:
                waiting = uow.events.unpublished()
                assert [item.event for item in waiting] == events
                for event in events:
                    assert event in [
                        item.event for item in uow.events.for_service(event.service_id)
                    ]
                uow.events.mark_published([item.sequence for item in waiting])
                uow.commit()

        round_trip()
