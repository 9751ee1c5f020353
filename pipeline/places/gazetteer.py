"""The gazetteer: provinces, districts and communes read from the data of the
``vietnamadminunits`` package (without importing it), indexed by name key."""
from __future__ import annotations

import functools
import importlib.util
import json
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar
from collections.abc import Callable, Iterable

from .names import _akey, _keys, _rule_data, modernize


# --------------------------------------------------------------------------
# Gazetteer built from the package data
# --------------------------------------------------------------------------

_PACKAGE = "vietnamadminunits"


def _package_data_dir() -> Path:
    spec = importlib.util.find_spec(_PACKAGE)  # locates, does not import
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(f"the {_PACKAGE!r} package is required for pipeline.places")
    for loc in spec.submodule_search_locations:
        d = Path(loc) / "data"
        if (d / "dataset.db").exists():
            return d
    raise FileNotFoundError(f"{_PACKAGE}: bundled data (data/dataset.db) not found")


@dataclass(frozen=True)
class _Prov:
    key: str
    name: str            # canonical pre-2025 bare name
    central: bool        # centrally-run city ("thành phố" at province level)
    name_2025: str


@dataclass(frozen=True, eq=False)  # one object per unit: identity hash is enough
class _Dist:
    pkey: str
    key: str
    name: str            # bare ("Ngô Quyền"; "Quận 1" for numbered districts)
    kind: str            # "huyện" | "quận" | "thị xã" | "thành phố"
    kinds: frozenset[str] = frozenset()  # kind plus former kinds (thị xã -> thành phố)


@dataclass(frozen=True, eq=False)
class _Comm:
    pkey: str            # pre-2025 province key, "" if unknown (2025 communes)
    dkey: str            # pre-2025 district key, "" if unknown
    name: str
    kind: str            # "phường" | "xã" | "thị trấn" | "đặc khu"
    pkey_2025: str


_T = TypeVar("_T")  # what an index holds: a province key, a _Dist or a _Comm


class _Index(Generic[_T]):
    """name -> set of items under three keys (see ``_keys``), plus the former
    names the package lists for a unit (ASCII keys only)."""

    def __init__(self) -> None:
        self.exact: dict[str, set[_T]] = {}
        self.ascii: dict[str, set[_T]] = {}
        self.folded: dict[str, set[_T]] = {}
        self.alias: dict[str, set[_T]] = {}

    def add(self, name: str, item: _T) -> None:
        n, a, f = _keys(name)
        self.exact.setdefault(n, set()).add(item)
        self.ascii.setdefault(a, set()).add(item)
        self.folded.setdefault(f, set()).add(item)

    def add_alias(self, akey: str, item: _T) -> None:
        self.alias.setdefault(akey, set()).add(item)

    def get(self, level: str, keys: tuple[str, str, str]) -> set[_T]:
        n, a, f = keys
        if level == "exact":
            return self.exact.get(n, set())
        if level == "loose":  # accent-insensitive: current and former names alike
            return self.ascii.get(a, set()) | self.alias.get(a, set())
        return self.folded.get(f, set())

    def lookup(self, name: str) -> set[_T]:
        return _lookup([self], name)


# Match levels, closest first.  "Tân Thành" (former name of Phú Mỹ, BR-VT)
# and "Tân Thạnh" (Long An) meet at "loose" and make each other ambiguous.
_LEVELS = ("exact", "loose", "folded")


def _lookup(indexes: Iterable[_Index[_T] | None], name: str) -> set[_T]:
    """Items called ``name`` in any of ``indexes`` at the closest match level
    that finds any: exact, else accent-insensitive (current or former names),
    else with spelling variants folded."""
    keys = _keys(name)
    if not keys[0]:
        return set()
    idxs = [i for i in indexes if i is not None]
    for level in _LEVELS:
        out: set[_T] = set()
        for i in idxs:
            out |= i.get(level, keys)
        if out:
            return out
    return set()


@dataclass
class _Gazetteer:
    provinces: dict[str, _Prov]              # pre-2025 province key -> province
    by_name: dict[str, str]                  # canonical name -> key
    prov_index: _Index[str]                  # province keys
    districts: dict[tuple[str, str], _Dist]
    dist_index: _Index[_Dist]
    old_to_new: dict[str, str]               # pre-2025 province key -> 2025 key
    names_2025: dict[str, str]               # 2025 province key -> bare name


@dataclass
class _Communes:
    by_district: dict[tuple[str, str], _Index[_Comm]]
    by_province: dict[str, _Index[_Comm]]
    national: _Index[_Comm]
    new_by_province: dict[str, _Index[_Comm]]  # 2025 communes by 2025 province key
    new_national: _Index[_Comm]


_DISTRICT_PREFIXES = ("thanhpho", "thixa", "huyen", "quan", "district", "tp", "tx", "q")
_KIND_PREFIXES = (("thanhpho", "thành phố"), ("tp", "thành phố"), ("thixa", "thị xã"),
                  ("tx", "thị xã"), ("huyen", "huyện"), ("quan", "quận"))
_WARD_PREFIXES = ("thitran", "phuong", "xa", "ward", "tt", "p", "f")
_RE_PAREN_TAIL = re.compile(r"\s*\([^)]*\)\s*$")
_RE_NUMBERED = re.compile(r"(?:quận|huyện|phường|xã|thị trấn)\s+(\d+)")


def _aliases(keywords: Iterable[str], name: str, prefixes: tuple[str, ...]) -> set[str]:
    """Former names the package lists among a unit's keywords (merged units,
    renumbered wards...), as bare ASCII keys."""
    kws = {k for k in keywords if k and k.isascii()}
    own = _akey(name)
    own_forms = {own} | {p + own for p in prefixes}
    out = set()
    for kw in kws - own_forms:
        bare = kw
        for p in prefixes:
            rest = kw[len(p):]
            if kw.startswith(p) and rest and (rest in kws or rest.isdigit()):
                bare = rest.lstrip("0") or "0" if rest.isdigit() else rest
                break
        out.add(bare)
    return out - {own}


@functools.cache
def _bare(short: str) -> str:
    name = modernize(_RE_PAREN_TAIL.sub("", short.strip()))  # "Kỳ Anh (Huyện)"
    # every word capitalised: the package has "é Tòng", "Pa ủ" (É Tòng, Pa Ủ)
    return " ".join(w[:1].upper() + w[1:] for w in name.split(" "))


@functools.lru_cache(maxsize=1)
def _raw() -> tuple[dict[str, Any], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The package's data: converter JSON, pre-2025 rows, 2025 rows."""
    data = _package_data_dir()
    with (data / "converter_2025.json").open(encoding="utf-8") as fh:
        conv = json.load(fh)
    con = sqlite3.connect(f"file:{data / 'dataset.db'}?mode=ro", uri=True)
    try:
        legacy = con.execute(
            "SELECT provinceKey, provinceShort, districtKey, districtShort, districtType, "
            "districtKeywords, wardShort, wardType, wardKeywords FROM admin_units_legacy"
        ).fetchall()
        new = con.execute(
            "SELECT provinceKey, provinceShort, wardKey, wardShort, wardType FROM admin_units"
        ).fetchall()
    finally:
        con.close()
    return conv, legacy, new


@functools.lru_cache(maxsize=1)
def _gazetteer() -> _Gazetteer:
    """Provinces and districts (communes are built on first use): read from
    the disk cache when its key matches (:func:`_cache_key`), else built
    from the package data and written there."""
    path = _cache_path()
    if path is not None:
        cached = _read_cache(path)
        if cached is not None:
            return cached
    g = _build_gazetteer()
    if path is not None:
        _write_cache(path, g)
    return g


def _build_gazetteer() -> _Gazetteer:
    conv, legacy, new = _raw()
    renames = _rule_data()[2]
    names_2025 = {pk: modernize(ps) for pk, ps, *_ in new}
    old_to_new = {old: nk for nk, olds in conv["DICT_PROVINCE"].items() for old in olds}

    provinces: dict[str, _Prov] = {}
    prov_index: _Index[str] = _Index()
    districts: dict[tuple[str, str], _Dist] = {}
    dist_index: _Index[_Dist] = _Index()
    for pk, ps, dk, ds, dt, dkw, *_ in legacy:
        if pk not in provinces:
            short = modernize(ps)
            name = renames.get(short, short)
            nk = old_to_new.get(pk)
            provinces[pk] = _Prov(key=pk, name=name, central=pk.startswith("thanhpho"),
                                  name_2025=names_2025.get(nk, name) if nk else name)
            prov_index.add(name, pk)
            if name != short:
                prov_index.add(short, pk)
        if (pk, dk) in districts:
            continue
        name = _bare(ds)
        kws = json.loads(dkw or "[]")
        # current kind plus the kinds in its keywords, former names included
        # ("huyentanthanh" for Phú Mỹ): a kind word only narrows, so a loose
        # set is safe
        kinds = {dt.lower()} | {k for p, k in _KIND_PREFIXES
                                for kw in kws if kw.startswith(p) and kw[len(p):] in kws}
        d = _Dist(pkey=pk, key=dk, name=name, kind=dt.lower(), kinds=frozenset(kinds))
        districts[(pk, dk)] = d
        dist_index.add(name, d)
        m = _RE_NUMBERED.fullmatch(_keys(name)[0])
        if m:  # "Quận 1" is also "1" once the type word is read
            dist_index.add(m.group(1), d)
        for al in _aliases(kws, name, _DISTRICT_PREFIXES):
            dist_index.add_alias(al, d)
    return _Gazetteer(provinces=provinces, by_name={p.name: k for k, p in provinces.items()},
                      prov_index=prov_index, districts=districts, dist_index=dist_index,
                      old_to_new=old_to_new, names_2025=names_2025)


# --------------------------------------------------------------------------
# The built gazetteer, cached on disk
# --------------------------------------------------------------------------
#
# Building the provinces and districts (reading the package's SQLite and JSON,
# keying ~700 names, ~60 ms) is done once per key, in every process otherwise:
# the command, and each worker of a batch.  The cache is a JSON file (plain
# data, nothing executed on reading) under the project's cache directory
# (:func:`pipeline.rules.cache_dir`, ``$CHITIEU_CACHE_DIR``, ``off`` for none),
# named by a fingerprint of everything the build reads: this module's and
# :mod:`.names`'s source, ``rules/places.yaml`` and the shared fragments (the
# renames), and the package's data files (path, size and modification time:
# hashing the 7 MB database would cost a fifth of what the cache saves).  A
# file that cannot be read or does not hold what is expected is ignored and
# the gazetteer built again; a cache that cannot be written only means
# building next time.

_CACHE_FORMAT = "gazetteer-1"


def _cache_key() -> str:
    from .. import rules

    data = _package_data_dir()
    stamps = []
    for name in ("dataset.db", "converter_2025.json"):
        st = (data / name).stat()
        stamps.append(f"{(data / name).resolve()}:{st.st_size}:{st.st_mtime_ns}")
    here = Path(__file__).resolve().parent
    sources = [(here / n).read_bytes() for n in ("gazetteer.py", "names.py")]
    rule_files = [(rules.RULES_DIR / n).read_bytes() for n in ("places.yaml", "fragments.yaml")]
    return rules.fingerprint(_CACHE_FORMAT, *stamps, *sources, *rule_files)


def _cache_path() -> Path | None:
    from .. import rules

    base = rules.cache_dir()
    if base is None:
        return None
    try:
        key = _cache_key()
    except OSError:  # a file of the key cannot be read: build, do not cache
        return None
    return base / "gazetteer" / f"{key[:40]}.json"


def _to_json(g: _Gazetteer) -> dict[str, Any]:
    dists = list(g.districts.values())
    number = {id(d): i for i, d in enumerate(dists)}

    def index(idx: _Index[Any], item: Callable[[Any], Any]) -> dict[str, dict[str, list[Any]]]:
        return {level: {k: sorted(item(x) for x in v) for k, v in getattr(idx, level).items()}
                for level in ("exact", "ascii", "folded", "alias")}

    return {
        "format": _CACHE_FORMAT,
        "provinces": [[p.key, p.name, p.central, p.name_2025] for p in g.provinces.values()],
        "districts": [[d.pkey, d.key, d.name, d.kind, sorted(d.kinds)] for d in dists],
        "prov_index": index(g.prov_index, lambda k: k),
        "dist_index": index(g.dist_index, lambda d: number[id(d)]),
        "old_to_new": g.old_to_new,
        "names_2025": g.names_2025,
    }


def _from_json(data: dict[str, Any]) -> _Gazetteer:
    if data.get("format") != _CACHE_FORMAT:
        raise ValueError("not a gazetteer cache of this format")
    provinces = {k: _Prov(key=k, name=n, central=bool(c), name_2025=n25) for k, n, c, n25 in data["provinces"]}
    dists = [_Dist(pkey=pk, key=k, name=n, kind=kind, kinds=frozenset(kinds))
             for pk, k, n, kind, kinds in data["districts"]]

    def index(raw: dict[str, dict[str, list[Any]]], item: Callable[[Any], Any]) -> _Index[Any]:
        idx: _Index[Any] = _Index()
        for level in ("exact", "ascii", "folded", "alias"):
            setattr(idx, level, {k: {item(x) for x in v} for k, v in raw[level].items()})
        return idx

    return _Gazetteer(provinces=provinces, by_name={p.name: k for k, p in provinces.items()},
                      prov_index=index(data["prov_index"], str),
                      districts={(d.pkey, d.key): d for d in dists},
                      dist_index=index(data["dist_index"], dists.__getitem__),
                      old_to_new=dict(data["old_to_new"]), names_2025=dict(data["names_2025"]))


def _read_cache(path: Path) -> _Gazetteer | None:
    try:
        with path.open(encoding="utf-8") as fh:
            return _from_json(json.load(fh))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):  # a damaged file: build again
        return None


def _write_cache(path: Path, g: _Gazetteer) -> None:
    """Best effort and atomic (:func:`pipeline.rules.write_cache_file`)."""
    from .. import rules

    rules.write_cache_file(path, json.dumps(_to_json(g), ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def _split_old_key(k: str) -> tuple[str, str]:
    parts = k.split("_")
    return parts[0], (parts[1] if len(parts) > 1 else "")


@functools.lru_cache(maxsize=1)
def _communes() -> _Communes:
    conv, legacy, new = _raw()
    g = _gazetteer()
    by_district: dict[tuple[str, str], _Index[_Comm]] = {}
    by_province: dict[str, _Index[_Comm]] = {}
    national: _Index[_Comm] = _Index()
    for pk, _ps, dk, _ds, _dt, _dkw, ws, wt, wkw in legacy:
        if not ws:  # island districts without communes
            continue
        c = _Comm(pkey=pk, dkey=dk, name=_bare(ws), kind=wt.lower(),
                  pkey_2025=g.old_to_new.get(pk, pk))
        m = _RE_NUMBERED.fullmatch(_keys(c.name)[0])
        als = _aliases(json.loads(wkw or "[]"), c.name, _WARD_PREFIXES)
        for idx in (by_district.setdefault((pk, dk), _Index()),
                    by_province.setdefault(pk, _Index()), national):
            idx.add(c.name, c)
            if m:
                idx.add(m.group(1), c)
            for al in als:
                idx.add_alias(al, c)

    # communes since 1 July 2025, placed in the pre-2025 province/district
    # when all the old communes they were made from lie in one
    origins: dict[tuple[str, str], set[tuple[str, str]]] = {}
    for nk, wards in conv["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for nwk, olds in wards.items():
            origins.setdefault((nk, nwk), set()).update(_split_old_key(o) for o in olds)
    for nk, olds in conv["DICT_PROVINCE_WARD_DIVIDED"].items():
        for o, targets in olds.items():
            for t in targets:
                origins.setdefault((nk, t["newWardKey"]), set()).add(_split_old_key(o))
    new_by_province: dict[str, _Index[_Comm]] = {}
    new_national: _Index[_Comm] = _Index()
    for pk, _ps, wk, ws, wt in new:
        orig = origins.get((pk, wk), set())
        old_p = {o[0] for o in orig}
        old_d = {o[1] for o in orig}
        one_p = next(iter(old_p)) if len(old_p) == 1 else ""
        one_d = next(iter(old_d)) if one_p and len(old_d) == 1 else ""
        c = _Comm(pkey=one_p, dkey=one_d, name=_bare(ws), kind=wt.lower(), pkey_2025=pk)
        new_by_province.setdefault(pk, _Index()).add(c.name, c)
        new_national.add(c.name, c)
    return _Communes(by_district=by_district, by_province=by_province, national=national,
                     new_by_province=new_by_province, new_national=new_national)
