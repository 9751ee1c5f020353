"""``split_cells``: the non-empty cells of a text's lines, with their offsets."""
from __future__ import annotations

from pipeline.extractors.common import split_cells


def test_cells_of_lines_and_bars_keep_their_offsets() -> None:
    norm = "ỦY BAN NHÂN DÂN | CỘNG HÒA\n  -------\n\n Số: 12/KH-UBND \nlast"
    cells = split_cells(norm)
    assert [c.text for c in cells] == ["ỦY BAN NHÂN DÂN", "CỘNG HÒA", "Số: 12/KH-UBND", "last"]
    assert all(norm[c.start:c.start + len(c.text)] == c.text for c in cells)


def test_limit_stops_after_the_line_that_reaches_it() -> None:
    norm = "a | b\nc\nd | e\nf"
    assert [c.text for c in split_cells(norm, limit=1)] == ["a", "b"]
    assert [c.text for c in split_cells(norm, limit=3)] == ["a", "b", "c"]
    assert [c.text for c in split_cells(norm, limit=99)] == ["a", "b", "c", "d", "e", "f"]


def test_start_offsets_are_in_the_whole_text() -> None:
    norm = "skip\n x | y\n"
    cells = split_cells(norm, start=5)
    assert [(c.text, c.start) for c in cells] == [("x", 6), ("y", 10)]
