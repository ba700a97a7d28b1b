"""The enums that print as their value share one ``__str__`` and stay plain enums.

``prodlife._enums.Labelled`` replaced a ``__str__`` written out in each enum;
these tests hold what a ``StrEnum`` would have changed: a member is not equal
to its label, hashes as an enum, pickles as itself, is not JSON text, and the
converter writes its label and reads it back.
"""

from __future__ import annotations

import json
import pickle

import pytest

from prodlife.billing import InvoiceStatus, LineType, PaymentKind
from prodlife.catalog import CancellationTiming
from prodlife.lifecycle import (
    Action,
    DomainAction,
    DueWork,
    EventKind,
    ModuleOutcome,
    Operation,
    OrderStatus,
    PendingReason,
    Progress,
    Status,
    SuspensionKind,
    Target,
)
from prodlife.serialization import make_converter

ENUMS = (
    Action,
    CancellationTiming,
    DomainAction,
    DueWork,
    EventKind,
    InvoiceStatus,
    LineType,
    ModuleOutcome,
    Operation,
    OrderStatus,
    PaymentKind,
    PendingReason,
    Progress,
    Status,
    SuspensionKind,
    Target,
)
MEMBERS = [member for kind in ENUMS for member in kind]


@pytest.mark.parametrize("member", MEMBERS, ids=repr)
def test_a_member_prints_as_its_value_and_is_no_string(member: Status) -> None:
    assert str(member) == member.value
    assert f"{member}" == member.value
    assert f"[{member:>40}]" == f"[{member.value:>40}]"
    assert not isinstance(member, str)
    label: object = member.value
    assert member != label
    by_key: dict[object, int] = {member: 1}
    assert by_key.get(label) is None


@pytest.mark.parametrize("member", MEMBERS, ids=repr)
def test_a_member_pickles_and_converts_as_an_enum(member: Status) -> None:
    assert pickle.loads(pickle.dumps(member)) is member
    with pytest.raises(TypeError):
        json.dumps(member)
    for strict in (False, True):
        converter = make_converter(strict=strict)
        written = converter.unstructure(member)
        assert type(written) is str and written == member.value
        assert converter.structure(written, type(member)) is member
