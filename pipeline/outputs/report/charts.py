"""The report's charts: one inline SVG bar chart per indicator."""
from __future__ import annotations

import math
import re
from collections import defaultdict
from typing import Any

from ..annotate import esc as _esc
from ..labels import Labels
from .model import PALETTE, _Column, _Row, _year_text


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


def _charts(rows: list[_Row], columns: list[_Column], L: Labels) -> str:
    if not rows:
        return ""
    groups: dict[tuple[str, str, str], list[_Row]] = {}   # (sector, indicator, unit) -> rows
    for row in rows:
        units = sorted({str(t.get("unit")) for cell in row.cells.values() for _, _, t in cell.texts})
        for unit in units:
            groups.setdefault((row.key[0], row.key[1], unit), []).append(row)
    by_indicator: dict[tuple[str, str], list[str]] = defaultdict(list)
    for sector, indicator, unit in groups:
        by_indicator[(sector, indicator)].append(unit)
    out = [f'<section id="charts">\n<h2>{_esc(L.ui("nav.charts"))}</h2>\n<div class="charts">\n']
    for (sector, indicator, unit), chart_rows in groups.items():
        several = len(by_indicator[(sector, indicator)]) > 1
        out.append(_chart(sector, indicator, unit, chart_rows, columns, several, L))
    out.append("</div>\n</section>\n")
    return "".join(out)


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


def _tier_runs(rows: list[_Row]) -> list[tuple[str, int, int]]:
    """(tier, first group, last group) of each run of a chart's groups with the same tier."""
    runs: list[tuple[str, int, int]] = []
    for g, row in enumerate(rows):
        tier = row.key[2]
        if runs and runs[-1][0] == tier:
            runs[-1] = (tier, runs[-1][1], g)
        else:
            runs.append((tier, g, g))
    return runs


def _chart(sector: str, indicator: str, unit: str, rows: list[_Row], columns: list[_Column],
           several_units: bool, L: Labels) -> str:
    series = [pos for pos in range(len(columns))
              if any(pos in r.cells and any(t.get("unit") == unit for _, _, t in r.cells[pos].texts) for r in rows)]
    bar_w, gap, pad = 14.0, 2.0, 16.0
    runs = _tier_runs(rows)
    # every group is at least as wide as the longest word of a tier label, so a
    # label wrapped into its run's width never reaches its neighbour's
    longest_word = max((len(w) for tier, _, _ in runs for w in L.tier(tier).split()), default=0)
    group_w = max(44.0, len(series) * (bar_w + gap) - gap + pad, longest_word * _LABEL_CHAR_W + 10)
    tier_lines = {(g0, g1): _wrap(L.tier(tier), (g1 - g0 + 1) * group_w - 10) for tier, g0, g1 in runs}
    n_lines = max((len(v) for v in tier_lines.values()), default=1)
    vmax = 0.0
    for r in rows:
        for pos in series:
            for _, _, t in (r.cells[pos].texts if pos in r.cells else []):
                if t.get("unit") == unit:
                    vmax = max(vmax, float(t["value"]), _float(t.get("value_max")) or 0.0)
    vmax = _nice_max(vmax, unit)
    ticks = [L.number(vmax * i / 4) + L.suffix(unit) for i in range(5)]
    # the axis is as wide as its longest tick (``12,5%/năm``), so none is cut off
    left = max(44.0, max(len(t) for t in ticks) * _LABEL_CHAR_W + 12)
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
    svg = [f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="{_f(width)}" height="{_f(height)}" '
           f'viewBox="0 0 {_f(width)} {_f(height)}" role="img" aria-label="{_esc(title)}">']
    for i in range(5):
        v = vmax * i / 4
        yy = y(v)
        svg.append(f'<line class="grid" x1="{_f(left)}" x2="{_f(width - right)}" y1="{_f(yy)}" y2="{_f(yy)}"/>'
                   f'<text class="tick" x="{_f(left - 4)}" y="{_f(yy + 3)}" text-anchor="end">'
                   f'{_esc(L.number(v))}{_esc(suffix)}</text>')
    for g, row in enumerate(rows):
        _, _, tier, year = row.key
        x0 = left + g * group_w + (group_w - (len(series) * (bar_w + gap) - gap)) / 2
        for s, pos in enumerate(series):
            cell = row.cells.get(pos)
            items = [(text, mark, t) for text, mark, t in (cell.texts if cell else []) if t.get("unit") == unit]
            if not items:
                continue
            text, mark, t = items[0]
            col = columns[pos]
            color = PALETTE[col.index % len(PALETTE)]
            x = x0 + s * (bar_w + gap)
            low, high = float(t["value"]), _float(t.get("value_max"))
            tip = (f"{col.shown} — {L.tier(tier)} {_year_text(year, L)}: "
                   + "; ".join(f"{tx}{suffix}" for tx, _, _ in items))
            y_low = y(low)
            bar = [f'<a href="#{_esc(mark)}" class="bar-link"><title>{_esc(tip)}</title>',
                   f'<rect class="bar" data-doc="{_esc(col.doc.key)}" x="{_f(x)}" y="{_f(y_low)}" '
                   f'width="{_f(bar_w)}" height="{_f(max(y(0) - y_low, 1.0))}" fill="{color}"'
                   + (' stroke="#000" stroke-dasharray="2 2"' if t.get("direction") == "at_most" else "") + '/>']
            if high is not None and high > low:
                y_high = y(high)
                bar.append(f'<rect class="bar range" x="{_f(x)}" y="{_f(y_high)}" width="{_f(bar_w)}" '
                           f'height="{_f(y_low - y_high)}" fill="{color}" fill-opacity="0.35"/>')
            bar.append("</a>")
            svg.append("".join(bar))
        cx = left + g * group_w + group_w / 2
        svg.append(f'<text class="year" x="{_f(cx)}" y="{_f(top + plot_h + 14)}" text-anchor="middle">'
                   f'{_esc(_year_text(year, L))}</text>')
    for tier, g0, g1 in runs:
        cx = left + (g0 + g1 + 1) * group_w / 2
        x_a, x_b = left + g0 * group_w + 4, left + (g1 + 1) * group_w - 4
        lines = "".join(f'<tspan x="{_f(cx)}" dy="{_f(0 if i == 0 else _LABEL_LINE_H)}">{_esc(line)}</tspan>'
                        for i, line in enumerate(tier_lines[(g0, g1)]))
        svg.append(f'<line class="tier-line" x1="{_f(x_a)}" x2="{_f(x_b)}" y1="{_f(top + plot_h + 20)}" '
                   f'y2="{_f(top + plot_h + 20)}"/>'
                   f'<text class="tier" data-tier="{_esc(tier)}" x="{_f(cx)}" y="{_f(top + plot_h + 33)}" '
                   f'text-anchor="middle">{lines}</text>')
    svg.append(f'<line class="axis" x1="{_f(left)}" x2="{_f(width - right)}" y1="{_f(y(0))}" y2="{_f(y(0))}"/>')
    svg.append("</svg>")
    legend = "".join(
        f'<li><span class="swatch" style="background:{PALETTE[columns[pos].index % len(PALETTE)]}"></span>'
        f'{_esc(columns[pos].shown)}{_esc(L.ui("chart.legend_baseline")) if columns[pos].is_baseline else ""}</li>'
        for pos in series)
    return (f'<figure class="chart" id="{chart_id}"><figcaption>{_esc(title)}</figcaption>'
            f'<div class="svgwrap">{"".join(svg)}</div><ul class="legend">{legend}</ul></figure>\n')


