"""The search behind :func:`prodlife.catalog.bundles.check_bundle`: can a flexible bundle be filled?

Offered products are grouped into classes that count against the same pools
and share a family and a type. Type pools do not overlap each other and
neither do family pools, so the pools form a network and a selection meeting
every minimum and maximum is a feasible circulation (max-flow with lower
bounds). The "at most N families / types" limits are handled by branch and
bound: each branch includes or excludes one family or type, so the work is
about F^a x T^b flows for limits a and b over F families and T types.
Conflicts are explained by dropping rules until only those in conflict remain.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

import attrs

from prodlife.catalog._findings import Finding

if TYPE_CHECKING:
    from prodlife.catalog.bundles import FlexibleBundle, Pool

#: The two restrictions a flexible bundle may set, in the order of ``FlexibleBundle.limits``.
_LIMITS = ("families", "types")


@attrs.frozen
class _Class:
    """Offered products counting against the same pools, of one family and type."""

    code: str  # the product a selection takes the class's quantity of
    traits: tuple[str | None, str]  # (family, type code)
    pools: tuple[int | None, ...]  # the indexes of its (product, type, family) pools


def _circulation(size: int, edges: list[tuple[int, int, int, int]]) -> list[int] | None:
    """Flows within each edge's ``(tail, head, low, high)`` bounds, conserved at every node."""
    graph: list[list[list[int]]] = [[] for _ in range(size + 2)]  # arcs: [head, capacity, back]

    def arc(tail: int, head: int, capacity: int) -> None:
        graph[tail].append([head, capacity, len(graph[head])])
        graph[head].append([tail, 0, len(graph[tail]) - 1])

    excess, arcs = [0] * size, []
    for tail, head, low, high in edges:
        if low > high:
            return None
        arcs.append((low, graph[tail], len(graph[tail])))
        arc(tail, head, high - low)
        excess[head] += low
        excess[tail] -= low
    source, sink = size, size + 1
    for node, amount in enumerate(excess):
        arc(*((source, node) if amount > 0 else (node, sink)), abs(amount))
    need = sum(amount for amount in excess if amount > 0)
    while need:  # Edmonds-Karp: push along shortest augmenting paths
        parent: dict[int, list[int]] = {}
        queue = deque([source])
        while queue and sink not in parent:
            for a in graph[queue.popleft()]:
                if a[1] and a[0] not in parent and a[0] != source:
                    parent[a[0]] = a
                    queue.append(a[0])
        if sink not in parent:
            return None
        path, node = [], sink
        while node != source:
            path.append(parent[node])
            node = graph[node][parent[node][2]][0]
        push = min(a[1] for a in path)
        for a in path:
            a[1] -= push
            graph[a[0]][a[2]][1] += push
        need -= push
    return [low + graph[out[i][0]][out[i][2]][1] for low, out, i in arcs]


def _flow(
    pools: tuple[Pool, ...],
    classes: list[_Class],
    relaxed: frozenset[int],
    usable: list[bool],
    one: bool,
) -> list[int] | None:
    """Quantities per class meeting every pool but the relaxed ones, or ``None``."""
    from prodlife.catalog.bundles import PoolKind  # here: bundles imports this module

    big = 1 + sum(p.min_quantity for i, p in enumerate(pools) if i not in relaxed)

    def bounds(i: int | None) -> tuple[int, int]:  # without a maximum, ``big`` is enough
        if i is None or i in relaxed:
            return 0, big
        most = pools[i].max_quantity
        return pools[i].min_quantity, big if most is None else most

    node: dict[tuple[str, int | None], int] = {("type", None): 2, ("family", None): 3}
    for i, pool in enumerate(pools):
        if pool.kind is not PoolKind.PRODUCT:
            node[pool.kind.value, i] = len(node) + 2
    edges = []
    for c, ok in zip(classes, usable, strict=True):
        low, high = bounds(c.pools[0])
        edges.append((node["type", c.pools[1]], node["family", c.pools[2]], low, high if ok else 0))
    covered = {c.pools[0] for c in classes}
    for i, pool in enumerate(pools):  # a product pool offering nothing holds 0
        if pool.kind is PoolKind.PRODUCT and i not in covered:
            edges.append((0, 1, bounds(i)[0], 0))
    for (kind, index), n in node.items():
        edges.append((n, 1, *bounds(index)) if kind == "family" else (0, n, *bounds(index)))
    edges.append((1, 0, int(one), big))  # at least one product, unless ``one`` is dropped
    flows = _circulation(len(node) + 2, edges)
    return None if flows is None else flows[: len(classes)]


_Limits = tuple[int | None, int | None]
_Pair = tuple[frozenset[str | None], frozenset[str | None]]


def _only(d: int, limit: int) -> _Limits:
    return (limit, None) if d == 0 else (None, limit)


def _plus(pair: _Pair, d: int, value: str | None) -> _Pair:
    return (pair[0] | {value}, pair[1]) if d == 0 else (pair[0], pair[1] | {value})


def _solve(
    pools: tuple[Pool, ...],
    classes: list[_Class],
    relaxed: frozenset[int],
    limits: _Limits,
    one: bool = True,
) -> list[int] | None:
    """Quantities per class meeting the pools and the limits, or ``None`` if none can."""
    stack: list[tuple[_Pair, _Pair]] = [((frozenset(), frozenset()),) * 2]  # (included, excluded)

    def usable(c: _Class, inc: _Pair, exc: _Pair) -> bool:
        return all(
            t not in exc[d] and (n is None or len(inc[d]) < n or t in inc[d])
            for d, (t, n) in enumerate(zip(c.traits, limits, strict=True))
        )

    while stack:
        inc, exc = stack.pop()
        flows = _flow(pools, classes, relaxed, [usable(c, inc, exc) for c in classes], one)
        if flows is None:
            continue
        for d, n in enumerate(limits):
            used = {c.traits[d] for c, f in zip(classes, flows, strict=True) if f}
            if n is not None and len(used) > n:  # branch: without a family (type), then with it
                pick = min(used - inc[d], key=lambda t: (t is not None, t or ""))
                stack += [(inc, _plus(exc, d, pick)), (_plus(inc, d, pick), exc)]
                break
        else:
            return flows
    return None


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _explain(bundle: FlexibleBundle, classes: list[_Class], empty: set[int]) -> list[Finding]:
    """Findings naming a minimal set of rules no selection meets together."""
    pools, limits, relaxed = bundle.pools, bundle.limits, frozenset(empty)

    def infeasible(dropped: set[int | str]) -> bool:
        off = relaxed | {r for r in dropped if isinstance(r, int)}
        kept = [None if what in dropped else n for what, n in zip(_LIMITS, limits, strict=True)]
        return _solve(pools, classes, off, (kept[0], kept[1]), "one" not in dropped) is None

    def minimal(rules: list[int | str], dropped: set[int | str]) -> list[int | str]:
        for rule in rules:  # deletion filter: drop each rule the conflict does not need
            if infeasible(dropped | {rule}):
                dropped.add(rule)
        return [rule for rule in rules if rule not in dropped]

    others: list[int | str] = [i for i in range(len(pools)) if i not in relaxed]
    if infeasible(set(_LIMITS)):
        kept = minimal([*others, "one"], set(_LIMITS))
        labels = [pools[r].label for r in kept if isinstance(r, int)]
        if not labels:  # nothing is offered; said already if a pool has a minimum
            message = "no pool offers a product that may be a component; add one to a pool"
            return [] if empty else [("bundle.conflict", message)]
        one = " with at least one product selected" if "one" in kept else ""
        message = f"no selection meets {_join(labels)} together{one} (a product counts against"
        return [("bundle.conflict", f"{message} every pool offering it); relax one of them")]
    if not infeasible(set()):
        return []
    limited: list[int | str] = [w for w, n in zip(_LIMITS, limits, strict=True) if n]
    kept = minimal(limited + others, set())
    which = [what for what in _LIMITS if what in kept]
    rules = [f"'only from {limits[_LIMITS.index(w)]} product {w}'" for w in which]
    labels = [pools[r].label for r in kept if isinstance(r, int)]
    fix = "raise the limits or relax these pools"
    if len(which) == 1:  # how many families (types) the pools need at least
        d, off = _LIMITS.index(which[0]), frozenset(range(len(pools))) - set(kept)
        fewest = (limits[d] or 0) + 1
        while _solve(pools, classes, off, _only(d, fewest)) is None:
            fewest += 1
        fix = f"any selection they allow uses at least {fewest} {which[0]}; raise the limit"
        fix += f" to {fewest} or relax these pools"
    return [("bundle.restriction", f"{_join(rules)} cannot be met with {_join(labels)}: {fix}")]
