"""Covering arrays: a few configurations in which every value of every flag (or every pair of values of
two flags) appears at least once.

A property-based test draws a handful of examples; with several flags and a few examples, some values (and
most combinations such as ``rms_scaling=True`` with ``scale=True``) are never drawn. Running the test once
per row of a covering array instead reaches every value, or every pair of values, at a cost close to the
product of the two largest value counts rather than the product of all of them.

Example:
    >>> rows = covering_rows({"center": (False, True), "scale": (False, True), "rms_scaling": (False, True)})
    >>> len(rows), all(len(r) == 3 for r in rows)
    (4, True)
    >>> sorted({(r["scale"], r["rms_scaling"]) for r in rows})
    [(False, False), (False, True), (True, False), (True, True)]
    >>> covering_rows({"activation": ("relu", "tanh", "selu"), "use_bias": (False, True)}, strength=1)
    [{'activation': 'relu', 'use_bias': False}, {'activation': 'tanh', 'use_bias': True}, {'activation': 'selu', 'use_bias': False}]
"""

from __future__ import annotations

import itertools
from typing import Any, Mapping, Sequence

__all__ = ["covering_rows", "uncovered"]


def covering_rows(space: Mapping[str, Sequence[Any]], strength: int = 2) -> list[dict[str, Any]]:
    """Rows (dicts flag -> value) covering every value (``strength=1``) or every pair of values of two flags
    (``strength=2``) of ``space``.

    The rows are built greedily and deterministically: the same space always gives the same rows, in the
    order of the flags and values given. A space with one flag or none gives one row per value (one empty row).

    Args:
        space: dict, flag name -> sequence of its values (at least one each).
        strength: int, default 2: 1 covers single values, 2 pairs of values.

    Returns:
        A list of dicts with every flag of ``space`` as keys.

    Raises:
        ValueError: when a flag has no values or ``strength`` is not 1 or 2.
    """
    flags = {name: tuple(values) for name, values in space.items()}
    empty = [name for name, values in flags.items() if not values]
    if empty:
        raise ValueError(f"covering_rows: every flag needs at least one value; {empty} have none")
    if strength not in (1, 2):
        raise ValueError(f"covering_rows: strength must be 1 or 2, received {strength!r}")
    names = list(flags)
    if strength == 1 or len(names) < 2:
        count = max((len(v) for v in flags.values()), default=1)
        return [{n: flags[n][i % len(flags[n])] for n in names} for i in range(count)]
    missing = _pairs(flags, names)
    rows = []
    while missing:
        (a, i), (b, j) = min(missing)
        row = {a: i, b: j}
        for name in names:
            if name not in row:
                row[name] = max(
                    range(len(flags[name])),
                    key=lambda k: (
                        sum(((m, row[m]), (name, k)) in missing or ((name, k), (m, row[m])) in missing for m in row),
                        -k,
                    ),
                )
        missing -= {((m, row[m]), (n, row[n])) for m, n in itertools.combinations(names, 2)}
        rows.append({n: flags[n][row[n]] for n in names})
    return rows


def uncovered(
    space: Mapping[str, Sequence[Any]], rows: Sequence[Mapping[str, Any]], strength: int = 2
) -> list[tuple[Any, Any]]:
    """The values (``strength=1``) or pairs of values (``strength=2``) of ``space`` that no row of ``rows``
    holds: empty when the rows cover the space.

    Args:
        space: dict, flag name -> sequence of its values.
        rows: list of dicts flag -> value (a row may lack flags).
        strength: int, default 2: 1 checks single values, 2 pairs of values of two flags.

    Returns:
        A list of ``(flag, value)`` (strength 1) or ``((flag, value), (flag, value))`` (strength 2).

    >>> uncovered({"a": (0, 1), "b": (0, 1)}, [{"a": 0, "b": 0}, {"a": 1, "b": 1}])
    [(('a', 0), ('b', 1)), (('a', 1), ('b', 0))]
    """
    names = list(space)
    if strength == 1:
        return [(n, v) for n in names for v in space[n] if not any(n in r and r[n] == v for r in rows)]
    index = [{n: _index(space[n], r[n]) for n in names if n in r} for r in rows]  # values may be unhashable
    seen = {((a, r[a]), (b, r[b])) for r in index for a, b in itertools.combinations(names, 2) if a in r and b in r}
    return [
        ((a, u), (b, v))
        for a, b in itertools.combinations(names, 2)
        for i, u in enumerate(space[a])
        for j, v in enumerate(space[b])
        if ((a, i), (b, j)) not in seen
    ]


def _index(values, value):
    return next((i for i, v in enumerate(values) if v == value), None)


def _pairs(flags, names):
    """Every pair of (flag, value index) of two different flags, the first flag before the second."""
    return {
        ((a, i), (b, j))
        for a, b in itertools.combinations(names, 2)
        for i in range(len(flags[a]))
        for j in range(len(flags[b]))
    }
