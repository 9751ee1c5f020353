"""The fast writers (pipeline/outputs/files.py, tables.py, models.py) against
the library routes they stand in for, on tricky cells: ``csv_bytes`` against
pandas' ``to_csv`` of the formatted cells, ``json_bytes`` against
``json.dumps(..., indent=1)``, ``record_frames`` against a frame pandas
infers and ``typed`` converts, ``to_json`` against ``dataclasses.asdict``.
"""
from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pandas as pd
import pytest

from pipeline.models import CellRef, DocumentRecord, Evidence, Reference, Signer, Target, plain_dict
from pipeline.outputs import files, tables
from pipeline.outputs.tables import record_frames, typed

TEXTS = ["", "a,b", 'say "hi"', "line\nbreak", "\r", "=SUM(A1)", "+1", "-5", "@x", "'=x", "Đắk Nông",
         "tab\there", "\x00\x1f control", "\u2028", "😀", " lead"]


def _frame() -> pd.DataFrame:
    n = len(TEXTS)
    ints = [0, -3, 2**60, None] * (n // 4)
    floats = [60.0, 99.7, float("nan"), float("inf"), -float("inf"), 0.1 + 0.2, -20.0, 1e20] * (n // 8)
    df = pd.DataFrame({
        "doc_id": TEXTS,
        "year": pd.array(ints, dtype="Int64"),
        "value": pd.Series(floats, dtype="float64"),
        "difference": pd.Series([-f if i % 3 else f for i, f in enumerate(floats)], dtype="float64"),
        "implied": [i % 2 == 0 for i in range(n)],
        "mixed": pd.Series([None, float("nan"), pd.NA, True, np.int64(7), np.float64(2.5), np.float64(3.0), 3,
                            "=x", 2.0, -0.0, None, "t", 5, 1.5, "é"], dtype=object),
        "empty": pd.Series([None] * n, dtype=object),
    })
    return df


def _old_csv(df: pd.DataFrame) -> bytes:
    out = pd.DataFrame({col: [files._csv_cell(v, str(col)) for v in df[col].tolist()] for col in df.columns},
                       columns=list(df.columns), dtype=object)
    return out.to_csv(index=False, lineterminator="\n").encode("utf-8-sig")


def _old_json(df: pd.DataFrame) -> bytes:
    cols = [str(c) for c in df.columns]
    rows = [dict(zip(cols, (files._json_value(v) for v in rec), strict=True))
            for rec in df.itertuples(index=False, name=None)]
    return (json.dumps(rows, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


@pytest.mark.parametrize("df", [
    _frame(), _frame().iloc[:0], _frame()[["doc_id"]], pd.DataFrame(), pd.DataFrame(index=range(3)),
    pd.DataFrame({"a": [""]}), pd.DataFrame({"a": [[1, 2]], "b": [{"k": "v"}]}),
])
def test_csv_bytes_are_those_of_pandas_to_csv(df):
    assert files.csv_bytes(df) == _old_csv(df)


@pytest.mark.parametrize("df", [
    _frame(), _frame().iloc[:0], _frame()[["doc_id"]], pd.DataFrame(), pd.DataFrame({"a": [""]}),
    pd.DataFrame({"a": ["x", "y"], "b": pd.Series([[1, "é"], {"k": None}], dtype=object)}),
])
def test_json_bytes_are_those_of_json_dumps_indented(df):
    assert files.json_bytes(df) == _old_json(df)


def test_json_bytes_read_back():
    rows = json.loads(files.json_bytes(_frame()))
    assert rows[0]["doc_id"] == "" and rows[2]["year"] == 2**60 and rows[3]["year"] is None
    assert rows[2]["value"] is None and rows[3]["value"] == math.inf and rows[0]["value"] == 60


@pytest.mark.parametrize("value, na", [(None, True), (float("nan"), True), (pd.NA, True), (pd.NaT, True),
                                       (np.float64("nan"), True), ("", False), (0, False), (0.0, False),
                                       (True, False), ([None], False), ({}, False), (np.int64(1), False)])
def test_is_na_is_pandas_isna_of_a_cell(value, na):
    assert files._is_na(value) is na


def _record(doc_id: str, **kw) -> DocumentRecord:
    ev = Evidence("đạt 60%", 3, 10)
    targets = [
        Target("library", "lib.service", "thư viện", "district", 2025, None, 60.0, None, "percent", False,
               "at_least", ev, value_span=Evidence("60%", 7, 10), year_source="clause", tier_source="lead"),
        Target("museum", "mus.x", None, "all", None, 2021, 12.5, 15.0, "count", True, "at_most", ev,
               cell=CellRef(0, 2, 3, page=1, header="Chỉ tiêu"), group="Nhóm 1"),
    ]
    edited = dataclasses.replace(targets[0], value=70.0, reviewed="edited", original=targets[0])
    return DocumentRecord(doc_id, f"{doc_id}.txt", "0" * 64, doc_type="plan", number="12/KH-UBND",
                          province="Hải Phòng", district=None, signer=Signer("Nguyễn Văn A", None),
                          references=[Reference("plan", "5/KH", None, "UBND", ev)],
                          targets=targets + [edited], warnings=["w1", "w2"], **kw)


def _old_target_json(t: Target, with_cells: bool) -> dict:
    d = dataclasses.asdict(t)
    out = {k: d[k] for k in ("sector", "indicator", "subject", "tier", "year", "period_start", "value",
                             "value_max", "unit", "implied", "direction", "year_source", "tier_source",
                             "group", "evidence")}
    if with_cells and d.get("cell") is not None:
        out["cell"] = d["cell"]
    if with_cells and d.get("value_span") is not None:
        out["value_span"] = d["value_span"]
    if t.reviewed is not None:
        out["reviewed"] = t.reviewed
        if t.original is not None:
            out["original"] = _old_target_json(t.original, False)
    for k in ("value", "value_max"):
        if isinstance(out.get(k), float) and out[k].is_integer():
            out[k] = int(out[k])
    return out


@pytest.mark.parametrize("with_cells", [False, True])
def test_to_json_is_the_asdict_walk(with_cells):
    rec = _record("a")
    got = rec.to_json(with_cells=with_cells)
    assert got["signer"] == dataclasses.asdict(rec.signer)
    assert got["references"] == [dataclasses.asdict(r) for r in rec.references]
    assert got["targets"] == [_old_target_json(t, with_cells) for t in rec.targets]
    assert json.dumps(got, ensure_ascii=False) == json.dumps(
        {**got, "targets": [_old_target_json(t, with_cells) for t in rec.targets]}, ensure_ascii=False)
    assert "cell" in got["targets"][1] if with_cells else "cell" not in got["targets"][1]


@pytest.mark.parametrize("obj", [Evidence("x", 0, 1), Signer(None, "t"), CellRef(1, 2, 3),
                                 _record("a").targets[2], _record("a").references[0]])
def test_plain_dict_is_asdict(obj):
    assert plain_dict(obj) == dataclasses.asdict(obj)


def test_plain_dict_copies_containers_as_asdict_does():
    @dataclasses.dataclass
    class Holder:
        items: list
        pair: tuple
        mapping: dict

    h = Holder([Evidence("x", 0, 1), [2]], (Signer("a", None), 3), {"k": [Evidence("y", 1, 2)]})
    got = plain_dict(h)
    assert got == dataclasses.asdict(h) and got["items"][1] is not h.items[1]


def _cells(df: pd.DataFrame) -> list:
    return [(c, str(df[c].dtype), [(type(v).__name__, repr(v)) for v in df[c].tolist()]) for c in df.columns]


def _no_column(column: str, values: list, nan_text: bool) -> None:  # noqa: ARG001
    """No column built at its dtype: every table goes the long way."""
    return None


def _old_frames(records: list[DocumentRecord], monkeypatch: pytest.MonkeyPatch) -> dict[str, pd.DataFrame]:
    """record_frames as it was: pandas infers the table from the row dicts, typed converts it."""
    with monkeypatch.context() as m:
        m.setattr(tables, "_column", _no_column)
        return record_frames(records)


@pytest.mark.parametrize("records", [
    [_record("a"), _record("b", error=None, title="T")],
    [_record("a")],
    [],
    [DocumentRecord("x", "x.txt", "")],
])
def test_record_frames_are_those_pandas_infers(records, monkeypatch):
    new, old = record_frames(records), _old_frames(records, monkeypatch)
    assert list(new) == list(old)
    for name in new:
        assert _cells(new[name]) == _cells(old[name]), name
        assert new[name].index.equals(old[name].index)


def test_record_frames_take_the_long_way_for_unusual_values(monkeypatch):
    rec = _record("a")
    rec.targets[0] = dataclasses.replace(rec.targets[0], year=2025.0, subject=7)  # type: ignore[arg-type]
    new, old = record_frames([rec]), _old_frames([rec], monkeypatch)
    assert _cells(new["targets"]) == _cells(old["targets"])
    assert new["targets"]["year"].dtype == "Int64"


def test_typed_is_unchanged_for_frames_read_back():
    df = typed(pd.DataFrame({"year": [2025.0, None], "value": [1, 2], "subject": ["x", None]}), nulls_as_none=True)
    assert _cells(df) == [("year", "Int64", [("int", "2025"), ("NAType", "<NA>")]),
                          ("value", "float64", [("float", "1.0"), ("float", "2.0")]),
                          ("subject", "object", [("str", "'x'"), ("NoneType", "None")])]


def _rows_sig(rows: list[dict]) -> list:
    return [[(k, type(v).__name__, repr(v)) for k, v in r.items()] for r in rows]


@pytest.mark.parametrize("df", [
    _frame(), _frame().iloc[:0], pd.DataFrame(), pd.DataFrame(index=range(2)),
    pd.DataFrame({"a": pd.array([1, None], dtype="Int64"), "b": pd.array(["x", None], dtype="str"),
                  "c": [np.int64(3), None], "d": [pd.Timestamp("2025-01-01"), None], "e": [1.5, np.nan]}),
    pd.DataFrame({"a": pd.array([True, None], dtype="boolean"), "b": pd.Series([1, 2], dtype="int64")}),
    pd.DataFrame({0: ["x"], 1: ["y"]}),
])
def test_rows_of_are_those_of_to_dict_records(df):
    assert _rows_sig(tables.rows_of(df)) == _rows_sig(df.to_dict("records"))


def test_rows_of_record_tables_are_those_of_to_dict_records():
    for name, df in record_frames([_record("a"), _record("b")]).items():
        assert _rows_sig(tables.rows_of(df)) == _rows_sig(df.to_dict("records")), name


@pytest.mark.parametrize("value, missing", [(None, True), (float("nan"), True), (np.float64("nan"), True),
                                            (pd.NA, True), (pd.NaT, True), (0.0, False), (float("inf"), False),
                                            ("", False), ("nan", False), (0, False), (False, False),
                                            (np.int64(0), False), (np.float32(1.5), False), ([], False)])
def test_is_missing(value, missing):
    from pipeline.outputs.format import is_missing

    assert is_missing(value) is missing


def test_json_bytes_of_repeated_column_names_keep_the_last_as_json_does():
    df = pd.DataFrame([[1, "a"], [2, "b"]], columns=["x", "x"])
    assert files.json_bytes(df) == _old_json(df) and json.loads(files.json_bytes(df)) == [{"x": "a"}, {"x": "b"}]
