"""The report's charts: one inline SVG bar chart per indicator, laid out here
and drawn by ``templates/charts.html.j2``."""
from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from ..labels import Labels
from .model import _Column, _Row, _year_text


def _nice_max(v: float, unit: str) -> float:
    if unit == "percent" and v <= 100:
        return 100.0
    if v <= 0:
        return 1.0
    mag = 10.0 ** math.floor(math.log10(v))
    for step in (1, 2, 2.5, 5, 10):
        if step * mag >= v:
            return step * mag
    return 10 * mag


def _float(x: Any) -> float | None:
    if x is None:
        return None
    try:
        f = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def _f(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


@dataclass
class Bar:
    """One document's bar in a group: a link to the value's evidence (``mark``),
    drawn from 0 to the low end; a range's upper part (``range_y``,
    ``range_height``) paler above it.  Coordinates are written numbers."""
    mark: str
    tip: str
    doc_key: str
    x: str
    y: str
    width: str
    height: str
    colour: str
    at_most: bool
    range_y: str | None = None
    range_height: str | None = None


@dataclass
class BarGroup:
    """The bars of one comparison row (a tier and year), the year under them at ``cx``."""
    bars: list[Bar]
    cx: str
    year: str


@dataclass
class TierLabel:
    """A run of groups of one tier: a line from ``x_a`` to ``x_b`` and the
    tier's name under it, wrapped into ``lines`` (dy, text)."""
    tier: str
    x_a: str
    x_b: str
    cx: str
    lines: list[tuple[str, str]]


@dataclass
class Chart:
    """One indicator's bar chart (one per unit when it has several), laid out:
    every coordinate is already a written number (:func:`_f`)."""
    id: str
    title: str
    width: str
    height: str
    left: str
    right: str                                   # x of the plot's right edge
    tick_x: str
    ticks: list[tuple[str, str, str]]            # y of the grid line, y of its text, the text
    groups: list[BarGroup]
    year_y: str
    tiers: list[TierLabel]
    tier_line_y: str
    tier_y: str
    axis_y: str
    legend: list[tuple[str, str, str]]           # colour, document, baseline tag (or "")


def _charts(rows: list[_Row], columns: list[_Column], L: Labels) -> list[Chart]:
    """The charts of the comparison's rows: one per indicator and unit, in row order."""
    groups: dict[tuple[str, str, str], list[_Row]] = {}   # (sector, indicator, unit) -> rows
    for row in rows:
        units = sorted({str(t.get("unit")) for cell in row.cells.values() for _, _, t in cell.texts})
        for unit in units:
            groups.setdefault((row.key[0], row.key[1], unit), []).append(row)
    by_indicator: dict[tuple[str, str], list[str]] = defaultdict(list)
    for sector, indicator, unit in groups:
        by_indicator[(sector, indicator)].append(unit)
    return [_chart(sector, indicator, unit, chart_rows, columns, len(by_indicator[(sector, indicator)]) > 1, L)
            for (sector, indicator, unit), chart_rows in groups.items()]


#: Width of one character of a chart's tier label, in pixels (10px bold sans-serif; a generous
#: estimate, so labels are laid out wider than they are drawn and never touch).
_LABEL_CHAR_W = 6.4
_LABEL_LINE_H = 12.0


def _wrap(text: str, width: float) -> list[str]:
    """``text`` cut at spaces into lines of at most ``width`` pixels (by
    :data:`_LABEL_CHAR_W`); a word longer than that stands on its own line."""
    lines: list[str] = []
    for word in text.split():
        if lines and (len(lines[-1]) + 1 + len(word)) * _LABEL_CHAR_W <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def _tier_name(row: _Row, L: Labels) -> str:
    """A row's tier as shown under its bars: the tier's name, a criteria table's group beside it."""
    return L.tier(row.key[2]) + (f" ({row.group})" if row.group else "")


def _tier_runs(rows: list[_Row], L: Labels) -> list[tuple[str, str, int, int]]:
    """(tier, its name, first group, last group) of each run of a chart's groups
    with the same tier (and criteria-table group)."""
    runs: list[tuple[str, str, int, int]] = []
    for g, row in enumerate(rows):
        tier, name = row.key[2], _tier_name(row, L)
        if runs and runs[-1][:2] == (tier, name):
            runs[-1] = (tier, name, runs[-1][2], g)
        else:
            runs.append((tier, name, g, g))
    return runs


def _chart(sector: str, indicator: str, unit: str, rows: list[_Row], columns: list[_Column],
           several_units: bool, L: Labels) -> Chart:
    series = [pos for pos in range(len(columns))
              if any(pos in r.cells and any(t.get("unit") == unit for _, _, t in r.cells[pos].texts) for r in rows)]
    bar_w, gap, pad = 14.0, 2.0, 16.0
    runs = _tier_runs(rows, L)
    # every group is at least as wide as the longest word of a tier label, so a
    # label wrapped into its run's width never reaches its neighbour's
    longest_word = max((len(w) for _, name, _, _ in runs for w in name.split()), default=0)
    group_w = max(44.0, len(series) * (bar_w + gap) - gap + pad, longest_word * _LABEL_CHAR_W + 10)
    tier_lines = {(g0, g1): _wrap(name, (g1 - g0 + 1) * group_w - 10) for _, name, g0, g1 in runs}
    n_lines = max((len(v) for v in tier_lines.values()), default=1)
    vmax = 0.0
    for r in rows:
        for pos in series:
            for _, _, t in (r.cells[pos].texts if pos in r.cells else []):
                if t.get("unit") == unit:
                    vmax = max(vmax, float(t["value"]), _float(t.get("value_max")) or 0.0)
    vmax = _nice_max(vmax, unit)
    tick_texts = [L.number(vmax * i / 4) + L.suffix(unit) for i in range(5)]
    # the axis is as wide as its longest tick (``12,5%/năm``), so none is cut off
    left = max(44.0, max(len(t) for t in tick_texts) * _LABEL_CHAR_W + 12)
    right, top, plot_h = 12.0, 12.0, 180.0
    bottom = 34.0 + _LABEL_LINE_H * n_lines
    width = left + group_w * len(rows) + right
    height = top + plot_h + bottom

    def y(v: float) -> float:
        return top + plot_h - plot_h * max(0.0, min(v, vmax)) / vmax

    suffix = L.suffix(unit)
    chart_id = re.sub(r"[^A-Za-z0-9_-]+", "_", f"chart-{sector}-{indicator}" + (f"-{unit}" if several_units else ""))
    title = (L.indicator(indicator) if indicator != "other" else f"{L.indicator(indicator)} ({L.sector(sector)})") \
        + (f" ({L.code('unit', unit)})" if several_units else "")
    ticks = [(_f(y(vmax * i / 4)), _f(y(vmax * i / 4) + 3), text) for i, text in enumerate(tick_texts)]
    bar_groups: list[BarGroup] = []
    for g, row in enumerate(rows):
        year = row.key[3]
        x0 = left + g * group_w + (group_w - (len(series) * (bar_w + gap) - gap)) / 2
        bars: list[Bar] = []
        for s, pos in enumerate(series):
            cell = row.cells.get(pos)
            items = [(text, mark, t) for text, mark, t in (cell.texts if cell else []) if t.get("unit") == unit]
            if not items:
                continue
            text, mark, t = items[0]
            col = columns[pos]
            x = x0 + s * (bar_w + gap)
            low, high = float(t["value"]), _float(t.get("value_max"))
            tip = (f"{col.shown} — {_tier_name(row, L)} {_year_text(year, L)}: "
                   + "; ".join(f"{tx}{suffix}" for tx, _, _ in items))
            y_low = y(low)
            bar = Bar(mark=mark, tip=tip, doc_key=col.doc.key, x=_f(x), y=_f(y_low), width=_f(bar_w),
                      height=_f(max(y(0) - y_low, 1.0)), colour=col.colour, at_most=t.get("direction") == "at_most")
            if high is not None and high > low:
                y_high = y(high)
                bar.range_y, bar.range_height = _f(y_high), _f(y_low - y_high)
            bars.append(bar)
        bar_groups.append(BarGroup(bars, _f(left + g * group_w + group_w / 2), _year_text(year, L)))
    tiers = [TierLabel(tier, _f(left + g0 * group_w + 4), _f(left + (g1 + 1) * group_w - 4),
                       _f(left + (g0 + g1 + 1) * group_w / 2),
                       [(_f(0 if i == 0 else _LABEL_LINE_H), line) for i, line in enumerate(tier_lines[(g0, g1)])])
             for tier, _, g0, g1 in runs]
    legend = [(columns[pos].colour, columns[pos].shown,
               L.ui("chart.legend_baseline") if columns[pos].is_baseline else "") for pos in series]
    return Chart(id=chart_id, title=title, width=_f(width), height=_f(height), left=_f(left),
                 right=_f(width - right), tick_x=_f(left - 4), ticks=ticks, groups=bar_groups,
                 year_y=_f(top + plot_h + 14), tiers=tiers, tier_line_y=_f(top + plot_h + 20),
                 tier_y=_f(top + plot_h + 33), axis_y=_f(y(0)), legend=legend)
