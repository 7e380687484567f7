"""Tables as HTML, for Jupyter's ``_repr_html_``: the gradient table and a training summary."""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence


def html_table(
    title: str,
    header: Sequence[str],
    rows: Iterable[Sequence[str]],
    *,
    header_row: bool = True,
) -> str:
    """A small HTML table with ``title`` as its caption; every cell is escaped text.

    ``header_row=False`` leaves the header out and makes each row's first cell its label.
    """
    cell_style = 'style="text-align: left; font-family: monospace; padding: 2px 10px"'
    parts = [
        '<table style="border-collapse: collapse">',
        f'<caption style="text-align: left; font-weight: bold">{html.escape(title)}</caption>',
    ]
    if header_row:
        heads = "".join(f'<th style="text-align: left; padding: 2px 10px">{html.escape(h)}</th>'
                        for h in header)
        parts.append(f"<thead><tr>{heads}</tr></thead>")
    parts.append("<tbody>")
    for row in rows:
        cells = []
        for k, cell in enumerate(row):
            tag = "th" if (k == 0 and not header_row) else "td"
            cells.append(f"<{tag} {cell_style}>{html.escape(str(cell))}</{tag}>")
        parts.append("<tr>" + "".join(cells) + "</tr>")
    parts.append("</tbody></table>")
    return "".join(parts)
