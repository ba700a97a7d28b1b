"""Results as rows and HTML tables: what ``as_rows()`` and ``_repr_html_`` share.

A row is a ``dict`` of column name to a plain value (text, a number, a date,
a :class:`~decimal.Decimal` amount), ready for ``pandas.DataFrame(rows)``.
Amounts stay ``Decimal`` so sums stay exact; ``df.astype({"amount": float})``
gives a numeric column for plotting.

>>> table = html_table([{"item": "a < b", "amount": 1}], caption="Two")
>>> table.startswith("<table><caption>Two</caption><thead><tr><th>item</th>")
True
>>> "<td>a &lt; b</td><td>1</td>" in table
True
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

__all__ = ["Row", "html_table"]

#: One result as a row: column name to plain value.
Row = dict[str, object]


def _cell(value: object) -> str:
    return "" if value is None else html.escape(str(value))


def html_table(rows: Sequence[Mapping[str, object]], caption: str = "") -> str:
    """``rows`` as one HTML table (columns from the first row), with an optional caption."""
    heading = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    if not rows:
        return f"<table>{heading}</table>"
    columns = list(rows[0])
    head = "".join(f"<th>{html.escape(name)}</th>" for name in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{_cell(row.get(name))}</td>" for name in columns) + "</tr>"
        for row in rows
    )
    return f"<table>{heading}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
