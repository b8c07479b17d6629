"""HTML pieces of the report: embedded figures, tables with their TSV, notes. Presentation only."""

from __future__ import annotations

import base64
import html
import io
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

__all__ = ["escape", "figure_html", "format_cell", "is_significance", "table_html", "bars_html", "note_html"]


def escape(text: Any) -> str:
    return html.escape(str(text), quote=True)


def figure_html(figure: Any, caption: str = "", *, dpi: int = 110) -> str:
    """Embed a matplotlib Figure (or an Axes, or an array of Axes) as a base64 PNG and close it."""
    if isinstance(figure, np.ndarray):
        figure = figure.flat[0]
    if not isinstance(figure, plt.Figure):
        figure = figure.get_figure()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight", facecolor="white")
    plt.close(figure)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    alt = escape(caption or "figure")
    caption_html = f"<figcaption>{escape(caption)}</figcaption>" if caption else ""
    return f'<figure class="figure"><img alt="{alt}" src="data:image/png;base64,{data}">{caption_html}</figure>'


def is_significance(column: str) -> bool:
    """Whether a column holds p-, q- or E-values (shown in scientific notation)."""
    return any(kind in str(column) for kind in ("p-value", "q-value", "E-value"))


def format_cell(value: Any, column: str = "") -> str:
    """One table cell as text: integers as integers, p-, q- and E-values in scientific notation (``1.6e-14``),
    other numbers to 4 significant digits, missing values empty."""
    if value is None or value is pd.NA or (isinstance(value, (float, np.floating)) and np.isnan(value)):
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        if not np.isfinite(value):
            return escape(value)
        if is_significance(column):
            return f"{value:.2g}" if value in (0.0, 1.0) else f"{value:.2e}"
        return f"{value:.3g}" if abs(value) < 1e-3 and value != 0 else f"{value:.4g}"
    return escape(value)


def table_html(
    table: pd.DataFrame,
    tsv_name: str,
    *,
    max_rows: int = 30,
    caption: str = "",
    apart: Any = None,
    apart_label: str = "",
) -> str:
    """An HTML table of the first ``max_rows`` rows (none: only the link) with a link to the full table's TSV.

    ``apart``, a boolean per row (e.g. not significant), moves those rows below a divider row saying ``apart_label``
    and greys them, keeping each group in the table's order.
    """
    if max_rows == 0:
        return f'<p class="tsv">{escape(caption)}: <a href="{escape(tsv_name)}">{escape(tsv_name)}</a></p>'
    head = "".join(f"<th>{escape(c)}</th>" for c in table.columns)
    flags = np.zeros(len(table), bool) if apart is None else np.asarray(apart, dtype=bool)
    shown_rows = table.assign(_apart=flags).head(max_rows)
    groups = [("", shown_rows[~shown_rows["_apart"]]), ("ns", shown_rows[shown_rows["_apart"]])]
    rows = []
    for kind, group in groups:
        if kind and len(group):
            rows.append(f'<tr class="divider"><td colspan="{len(table.columns)}">{escape(apart_label)}</td></tr>')
        for row in group.drop(columns="_apart").itertuples(index=False):
            cells = "".join(f"<td>{format_cell(v, c)}</td>" for v, c in zip(row, table.columns))
            rows.append(f'<tr class="{kind}">{cells}</tr>' if kind else f"<tr>{cells}</tr>")
    rows = "".join(rows)
    shown = f"first {max_rows} of {len(table)} rows; " if len(table) > max_rows else ""
    link = (
        f'<p class="tsv">{escape(caption)} ({shown}full table: <a href="{escape(tsv_name)}">{escape(tsv_name)}</a>)</p>'
    )
    return f'{link}<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div>'


def bars_html(labels: list[str], values: np.ndarray, *, axis: str, unit: str = "") -> str:
    """Horizontal bars drawn with CSS (no image): positive values right of the axis, negative ones left; ``axis``
    heads the bars (what they measure, with its unit)."""
    values = np.asarray(values, dtype=float)
    scale = float(np.abs(values).max()) if values.size and np.abs(values).max() > 0 else 1.0
    rows = [
        f'<div class="bar-row bar-axis"><span class="bar-label"></span><span class="bar-axis-label">'
        f"&larr; negative | {escape(axis)} | positive &rarr;</span></div>"
    ]
    for label, value in zip(labels, values):
        width = 50.0 * abs(value) / scale
        side = "pos" if value >= 0 else "neg"
        rows.append(
            f'<div class="bar-row"><span class="bar-label">{escape(label)}</span><span class="bar-track">'
            f'<span class="bar {side}" style="width:{width:.1f}%"></span></span>'
            f'<span class="bar-value">{value:+.3g}{escape(unit)}</span></div>'
        )
    return '<div class="bars">' + "".join(rows) + "</div>"


def note_html(text: str, kind: str = "note") -> str:
    return f'<p class="{escape(kind)}">{escape(text)}</p>'
