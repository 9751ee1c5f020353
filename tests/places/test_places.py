"""pipeline.places (names, gazetteer, resolve): gazetteer from vietnamadminunits, province/district/commune
resolution, spelling variants, the 1 July 2025 merger, refusal to guess."""
from __future__ import annotations

import dataclasses
import subprocess
import sys
import unicodedata

import pytest

from pipeline import places, rules
from pipeline.places import (
    Place,
    canonical_province,
    province_2025,
    resolve_district,
    resolve_place,
)


def P(province, district=None, new=None, level=None, commune=None):
    """Shorthand: new defaults to province, level to the most specific given."""
    if level is None:
        level = "commune" if commune else "district" if district else "province"
    return Place(province=province, district=district, province_2025=new or province,
                 level=level, commune=commune)


# --------------------------------------------------------------- provinces

@pytest.mark.parametrize("name, expected", [
    ("Đắk Nông", "Đắk Nông"),
    ("Đắc Nông", "Đắk Nông"),
    ("Đăk Nông", "Đắk Nông"),
    ("ĐẮK NÔNG", "Đắk Nông"),
    ("tỉnh Đắk Nông", "Đắk Nông"),
    ("Dak Nong", "Đắk Nông"),
    ("Đắc Lắc", "Đắk Lắk"),
    ("Daklak", "Đắk Lắk"),
    ("TP. HCM", "Hồ Chí Minh"),
    ("TP.HCM", "Hồ Chí Minh"),
    ("TPHCM", "Hồ Chí Minh"),
    ("HCM", "Hồ Chí Minh"),
    ("Thành phố Hồ Chí Minh", "Hồ Chí Minh"),
    ("THÀNH PHỐ HỒ CHÍ MINH", "Hồ Chí Minh"),
    ("tp Hải Phòng", "Hải Phòng"),
    ("Tp.Hải Phòng", "Hải Phòng"),
    ("Hà Nội", "Hà Nội"),
    ("Thủ đô Hà Nội", "Hà Nội"),
    ("ha noi", "Hà Nội"),
    ("Huế", "Thừa Thiên Huế"),
    ("Thừa Thiên Huế", "Thừa Thiên Huế"),
    ("Thừa Thiên - Huế", "Thừa Thiên Huế"),
    ("TT-Huế", "Thừa Thiên Huế"),
    ("Khánh Hoà", "Khánh Hòa"),       # old tone placement
    ("Thanh Hoá", "Thanh Hóa"),
    ("tỉnh Hoà Bình", "Hòa Bình"),
    ("BR-VT", "Bà Rịa - Vũng Tàu"),
    ("Bà Rịa-Vũng Tàu", "Bà Rịa - Vũng Tàu"),
    ("Kontum", "Kon Tum"),
    ("Hải Dương", "Hải Dương"),
    ("Bình Dương", "Bình Dương"),
])
def test_canonical_province(name, expected):
    assert canonical_province(name) == expected


@pytest.mark.parametrize("name", [
    "", "   ", "abc", "Việt Nam", "Quận 1", "Nhà Bè", "Ngô Quyền", "Thủ Đức",
    "Vũng Tàu",            # a city inside Bà Rịa - Vũng Tàu, not a province
    "Kế hoạch số 87/KH-UBND",
])
def test_canonical_province_rejects_non_provinces(name):
    assert canonical_province(name) is None


@pytest.mark.parametrize("province, expected", [
    ("Đắk Nông", "Lâm Đồng"),
    ("Bình Thuận", "Lâm Đồng"),
    ("Lâm Đồng", "Lâm Đồng"),
    ("Hải Dương", "Hải Phòng"),
    ("Hải Phòng", "Hải Phòng"),
    ("Hà Nội", "Hà Nội"),
    ("Bình Dương", "Hồ Chí Minh"),
    ("Bà Rịa - Vũng Tàu", "Hồ Chí Minh"),
    ("Hồ Chí Minh", "Hồ Chí Minh"),
    ("Kon Tum", "Quảng Ngãi"),
    ("Hà Giang", "Tuyên Quang"),
    ("Thừa Thiên Huế", "Huế"),
    ("Quảng Ninh", "Quảng Ninh"),    # not merged: identity
    ("Đắc Nông", "Lâm Đồng"),        # variants are accepted too
])
def test_province_2025(province, expected):
    assert province_2025(province) == expected


def test_province_2025_unknown():
    assert province_2025("Atlantis") is None
    assert province_2025("") is None


def test_sixty_three_provinces_from_the_package():
    names = places.provinces()
    assert len(names) == 63
    assert "Thừa Thiên Huế" in names and "Huế" not in names
    assert {province_2025(n) for n in names} == {
        "Hà Nội", "Tuyên Quang", "Cao Bằng", "Thái Nguyên", "Lào Cai", "Điện Biên",
        "Lai Châu", "Sơn La", "Phú Thọ", "Lạng Sơn", "Quảng Ninh", "Bắc Ninh",
        "Hải Phòng", "Hưng Yên", "Ninh Bình", "Thanh Hóa", "Nghệ An", "Hà Tĩnh",
        "Quảng Trị", "Huế", "Đà Nẵng", "Quảng Ngãi", "Gia Lai", "Đắk Lắk",
        "Khánh Hòa", "Lâm Đồng", "Đồng Nai", "Tây Ninh", "Hồ Chí Minh", "Đồng Tháp",
        "Vĩnh Long", "An Giang", "Cần Thơ", "Cà Mau"}


# --------------------------------------------------------------- districts

@pytest.mark.parametrize("name, hint, kind, expected", [
    ("Ngô Quyền", None, None, P("Hải Phòng", "Ngô Quyền")),
    ("Quận Ngô Quyền", None, None, P("Hải Phòng", "Ngô Quyền")),
    ("QUẬN NGÔ QUYỀN", None, None, P("Hải Phòng", "Ngô Quyền")),
    ("Ngo Quyen", None, None, P("Hải Phòng", "Ngô Quyền")),
    ("Nhà Bè", None, None, P("Hồ Chí Minh", "Nhà Bè")),
    ("huyện Nhà Bè", None, None, P("Hồ Chí Minh", "Nhà Bè")),
    ("H. Nhà Bè", None, None, P("Hồ Chí Minh", "Nhà Bè")),
    ("Thủ Đức", None, None, P("Hồ Chí Minh", "Thủ Đức")),
    ("thành phố Thủ Đức", None, None, P("Hồ Chí Minh", "Thủ Đức")),
    ("Quận 9", None, None, P("Hồ Chí Minh", "Thủ Đức")),       # merged into Thủ Đức in 2021
    ("Quận 1", None, None, P("Hồ Chí Minh", "Quận 1")),
    ("Q.1", None, None, P("Hồ Chí Minh", "Quận 1")),
    ("thị xã Sơn Tây", None, None, P("Hà Nội", "Sơn Tây")),
    ("Sơn Tây", None, "thị xã", P("Hà Nội", "Sơn Tây")),
    ("TX. Sơn Tây", None, None, P("Hà Nội", "Sơn Tây")),
    ("thành phố Buôn Ma Thuột", None, None, P("Đắk Lắk", "Buôn Ma Thuột")),
    ("thành phố Thanh Hóa", None, None, P("Thanh Hóa", "Thanh Hóa")),
    ("Gia Nghĩa", None, None, P("Đắk Nông", "Gia Nghĩa", "Lâm Đồng")),
    ("Đắk R'Lấp", None, None, P("Đắk Nông", "Đắk R'Lấp", "Lâm Đồng")),
    ("Thuận An", None, None, P("Bình Dương", "Thuận An", "Hồ Chí Minh")),
    ("thị xã Thuận An", None, None, P("Bình Dương", "Thuận An", "Hồ Chí Minh")),
    ("Hoành Bồ", None, None, P("Quảng Ninh", "Hạ Long")),      # merged into Hạ Long in 2019
    ("huyện Thuỷ Nguyên", None, None, P("Hải Phòng", "Thủy Nguyên")),
    ("Hoà Vang", None, None, P("Đà Nẵng", "Hòa Vang")),
    ("Hồng Ngự", None, None, P("Đồng Tháp", "Hồng Ngự")),      # huyện and city, same province
    # exact accents win over the accent-insensitive fallback
    ("Thanh Trì", None, None, P("Hà Nội", "Thanh Trì")),
    ("Thạnh Trị", None, None, P("Sóc Trăng", "Thạnh Trị", "Cần Thơ")),
    ("Tam Dương", None, None, P("Vĩnh Phúc", "Tam Dương", "Phú Thọ")),
    ("Tam Đường", None, None, P("Lai Châu", "Tam Đường")),
    # hints and kinds settle same-named units
    ("Châu Thành", "Tây Ninh", None, P("Tây Ninh", "Châu Thành")),
    ("huyện Châu Thành", "tỉnh Bến Tre", None, P("Bến Tre", "Châu Thành", "Vĩnh Long")),
    ("Phú Tân", "An Giang", None, P("An Giang", "Phú Tân")),
    ("Phú Tân", "Cà Mau", None, P("Cà Mau", "Phú Tân")),
    ("Hoàng Mai", None, "quận", P("Hà Nội", "Hoàng Mai")),
    ("Hoàng Mai", None, "thị xã", P("Nghệ An", "Hoàng Mai")),
    ("huyện Tân Uyên", None, None, P("Lai Châu", "Tân Uyên")),
    # Bình Dương's Tân Uyên was a thị xã until 2023: its former kind counts
    ("thị xã Tân Uyên", None, None, P("Bình Dương", "Tân Uyên", "Hồ Chí Minh")),
    ("An Lão", "Hải Phòng", None, P("Hải Phòng", "An Lão")),
    ("An Lão", "Bình Định", None, P("Bình Định", "An Lão", "Gia Lai")),
    # a 2025 province as hint works too (Gia Nghĩa is in Lâm Đồng since 2025)
    ("Gia Nghĩa", "Lâm Đồng", None, P("Đắk Nông", "Gia Nghĩa", "Lâm Đồng")),
])
def test_resolve_district(name, hint, kind, expected):
    assert resolve_district(name, province_hint=hint, kind=kind) == expected


@pytest.mark.parametrize("name, hint, kind", [
    ("Châu Thành", None, None),          # ten provinces
    ("huyện Châu Thành", None, None),
    ("Phú Tân", None, None),             # An Giang and Cà Mau
    ("Hoàng Mai", None, None),           # Hà Nội (quận) and Nghệ An (thị xã)
    ("Sơn Tây", None, None),             # Hà Nội and Quảng Ngãi
    ("An Lão", None, None),
    ("Tân Uyên", None, None),
    ("Thanh Tri", None, None),           # no accents: Thanh Trì or Thạnh Trị
    ("Châu Thành", "Hà Nội", None),      # hint that matches none of them
    ("xyz", None, None),
    ("", None, None),
    ("Trường Tiểu học Lê Quang Định", None, None),
])
def test_resolve_district_refuses(name, hint, kind):
    assert resolve_district(name, province_hint=hint, kind=kind) is None


# ---------------------------------------------------------------- free text

@pytest.mark.parametrize("text, hint, expected", [
    ("Quận Ngô Quyền", None, P("Hải Phòng", "Ngô Quyền")),
    ("huyện Nhà Bè, Thành phố Hồ Chí Minh", None, P("Hồ Chí Minh", "Nhà Bè")),
    ("tỉnh Đắk Nông", None, P("Đắk Nông", None, "Lâm Đồng")),
    ("Đắk Nông", None, P("Đắk Nông", None, "Lâm Đồng")),
    ("UBND tỉnh Hải Dương", None, P("Hải Dương", None, "Hải Phòng")),
    ("Hà Nội", None, P("Hà Nội")),
    ("UBND TP.HCM", None, P("Hồ Chí Minh")),
    ("tại TP. Hải Phòng", None, P("Hải Phòng")),
    ("thành phố Huế", None, P("Thừa Thiên Huế", None, "Huế")),
    ("thị xã Sơn Tây, Hà Nội", None, P("Hà Nội", "Sơn Tây")),
    ("thành phố Buôn Ma Thuột, tỉnh Đắk Lắk", None, P("Đắk Lắk", "Buôn Ma Thuột")),
    ("thành phố Vũng Tàu", None, P("Bà Rịa - Vũng Tàu", "Vũng Tàu", "Hồ Chí Minh")),
    ("thành phố Thủ Đức", None, P("Hồ Chí Minh", "Thủ Đức")),
    ("thị xã Hoàng Mai, tỉnh Nghệ An", None, P("Nghệ An", "Hoàng Mai")),
    # school texts and document headings
    ("Trường Tiểu học Lê Quang Định, huyện Nhà Bè", None, P("Hồ Chí Minh", "Nhà Bè")),
    ("ỦY BAN NHÂN DÂN\nHUYỆN NHÀ BÈ\nTRƯỜNG TIỂU HỌC\nLÊ QUANG ĐỊNH", None,
     P("Hồ Chí Minh", "Nhà Bè")),
    ("Nhà Bè, ngày 04 tháng 7 năm 2023", None, P("Hồ Chí Minh", "Nhà Bè")),
    ("Quận Ngô Quyền, ngày tháng năm 2023", None, P("Hải Phòng", "Ngô Quyền")),
    ("trên địa bàn thành phố Hải Phòng, Ủy ban nhân dân Quận Ngô Quyền ban hành", None,
     P("Hải Phòng", "Ngô Quyền")),
    # ambiguity settled by a province in the text or by the hint
    ("huyện Châu Thành, tỉnh Long An", None, P("Long An", "Châu Thành", "Tây Ninh")),
    ("huyện Châu Thành", "Bến Tre", P("Bến Tre", "Châu Thành", "Vĩnh Long")),
    ("quận Hoàng Mai", None, P("Hà Nội", "Hoàng Mai")),
    # wards and communes
    ("phường Cầu Đất, quận Ngô Quyền", None,
     P("Hải Phòng", "Ngô Quyền", commune="Cầu Đất")),
    ("Phường Cầu Đất, Quận Ngô Quyền, Thành phố Hải Phòng", None,
     P("Hải Phòng", "Ngô Quyền", commune="Cầu Đất")),
    ("phường Lương Khánh Thiện, quận Ngô Quyền", None,   # merged into Cầu Đất
     P("Hải Phòng", "Ngô Quyền", commune="Cầu Đất")),
    ("xã Phước Kiển, huyện Nhà Bè", None, P("Hồ Chí Minh", "Nhà Bè", commune="Phước Kiển")),
    ("Phường 12, Quận 3, TP.HCM", None, P("Hồ Chí Minh", "Quận 3", commune="Phường 12")),
    ("P.12, Q.3", None, P("Hồ Chí Minh", "Quận 3", commune="Phường 12")),
    ("xã An Hòa, huyện Châu Thành", None,    # only An Giang's Châu Thành has an xã An Hòa
     P("An Giang", "Châu Thành", commune="An Hòa")),
    ("thị trấn Nhà Bè, huyện Nhà Bè", None, P("Hồ Chí Minh", "Nhà Bè", commune="Nhà Bè")),
    ("thị trấn Phú Mỹ, huyện Tân Thành", None,   # Tân Thành became thị xã Phú Mỹ in 2018
     P("Bà Rịa - Vũng Tàu", "Phú Mỹ", "Hồ Chí Minh", commune="Phú Mỹ")),
    # party committees, island districts, former districts
    ("TỈNH ỦY ĐẮK NÔNG", None, P("Đắk Nông", None, "Lâm Đồng")),
    ("Huyện uỷ Nhà Bè", None, P("Hồ Chí Minh", "Nhà Bè")),
    ("huyện đảo Lý Sơn", None, P("Quảng Ngãi", "Lý Sơn")),
    ("Quận 2, TP. Hồ Chí Minh", None, P("Hồ Chí Minh", "Thủ Đức")),
    # communes created on 1 July 2025 (pre-2025 district filled in when the
    # old communes they were made from lay in one district)
    ("phường Sài Gòn, Thành phố Hồ Chí Minh", None,
     P("Hồ Chí Minh", "Quận 1", commune="Sài Gòn")),
    ("phường Sài Gòn", None, P("Hồ Chí Minh", "Quận 1", commune="Sài Gòn")),
    ("phường Hồng Hà, Hà Nội", None, P("Hà Nội", None, commune="Hồng Hà")),
    ("phường Văn Miếu - Quốc Tử Giám, Hà Nội", None,
     P("Hà Nội", None, commune="Văn Miếu - Quốc Tử Giám")),
])
def test_resolve_place(text, hint, expected):
    assert resolve_place(text, province_hint=hint) == expected


@pytest.mark.parametrize("text, hint", [
    ("", None),
    ("   \n", None),
    ("lorem ipsum dolor", None),
    ("Kế hoạch số 87/KH-UBND", None),
    ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc", None),
    ("xây dựng xã hội học tập trên địa bàn tỉnh", None),
    ("các huyện, thị xã, thành phố", None),
    ("Trường Tiểu học Lê Quang Định", None),
    ("huyện Châu Thành", None),             # ambiguous, nothing to settle it
    ("huyện Phú Tân", None),
    ("phường An Hòa", None),                # a dozen of them
    ("huyện Tân Thành", None),              # Tân Thạnh (Long An) or the former Tân Thành (BR-VT)
    ("PHƯỜNG SÀI GÒN", None),               # capitals: a commune alone is too weak
    ("CẤP XÃ ĐẠT 55%", None),
])
def test_resolve_place_refuses(text, hint):
    assert resolve_place(text, province_hint=hint) is None


# ------------------------------------------------------- normalisation rules

@pytest.mark.parametrize("raw, modern", [
    ("Khánh Hoà", "Khánh Hòa"),
    ("THANH HOÁ", "THANH HÓA"),
    ("Thuỷ Nguyên", "Thủy Nguyên"),
    ("khoẻ", "khỏe"),
    ("Quý", "Quý"),               # qu + y: unchanged
    ("Hoàng", "Hoàng"),           # closed syllable: unchanged
    ("Huế", "Huế"),
    ("Ngoài", "Ngoài"),
])
def test_modernize_tone_placement(raw, modern):
    assert places.modernize(raw) == modern


def test_names_are_nfc_and_modern():
    decomposed = unicodedata.normalize("NFD", "huyện Thuỷ Nguyên")
    got = resolve_district(decomposed)
    assert got == P("Hải Phòng", "Thủy Nguyên")
    for value in (got.province, got.district, got.province_2025):
        assert unicodedata.is_normalized("NFC", value)
    for name in places.provinces():
        assert unicodedata.is_normalized("NFC", name)
        assert places.modernize(name) == name
        assert not name.lower().startswith(("tỉnh ", "thành phố "))


def test_place_is_frozen_and_hashable():
    p = resolve_district("Nhà Bè")
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.province = "Hà Nội"  # type: ignore[misc]
    assert len({p, resolve_district("huyện Nhà Bè")}) == 1


def test_rule_file_examples():
    rf = rules.load("places")
    assert rf.rules
    for r in rf.rules:
        pat = rules.compile_pattern("places", r["id"])
        for ex in r.get("examples", []):
            assert pat.search(ex), (r["id"], ex)
        for ex in r.get("counter_examples", []):
            assert not pat.search(ex), (r["id"], ex)
        if r["id"].startswith("alias."):
            assert canonical_province(r["province"]) == r["province"]
            for ex in r["examples"]:
                assert canonical_province(ex) == r["province"], ex


def test_build_is_offline():
    """Cold build of the whole gazetteer in a fresh interpreter, with sockets
    disabled: no network, and the package itself is never imported.  (Its
    time is not asserted: a CPU-time limit failed on a slow shared machine;
    timings belong to ``make bench``.)"""
    code = (
        "import socket\n"
        "def _no(*a, **k): raise RuntimeError('network used')\n"
        "socket.socket.connect = _no\n"
        "socket.create_connection = _no\n"
        "from pipeline import places\n"
        "from pipeline.places.gazetteer import _communes, _gazetteer\n"
        "_gazetteer(); _communes()\n"
        "assert places.resolve_place('phường Cầu Đất, quận Ngô Quyền').commune == 'Cầu Đất'\n"
        "import sys\n"
        "assert 'vietnamadminunits' not in sys.modules\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "ok"


# --------------------------------------------------------------- the built gazetteer, cached on disk

@pytest.fixture
def gazetteer_cache(tmp_path, monkeypatch):
    """A cache directory of the test's own; the in-memory gazetteer forgotten around the test."""
    from pipeline.places import gazetteer

    monkeypatch.setenv(rules.CACHE_DIR_ENV, str(tmp_path / "cache"))
    gazetteer._gazetteer.cache_clear()
    yield gazetteer
    gazetteer._gazetteer.cache_clear()


def _cached_files(tmp_path):
    d = tmp_path / "cache" / "gazetteer"
    return sorted(d.iterdir()) if d.exists() else []


def test_gazetteer_read_from_its_cache_is_the_built_one(gazetteer_cache, tmp_path, monkeypatch):
    built = gazetteer_cache._build_gazetteer()
    first = gazetteer_cache._gazetteer()          # builds it and writes the cache
    [path] = _cached_files(tmp_path)
    gazetteer_cache._gazetteer.cache_clear()

    def no_build():
        raise AssertionError("built again although the cache holds it")

    monkeypatch.setattr(gazetteer_cache, "_build_gazetteer", no_build)
    again = gazetteer_cache._gazetteer()          # read back from the cache
    assert again is not first
    assert gazetteer_cache._to_json(again) == gazetteer_cache._to_json(built) == gazetteer_cache._to_json(first)
    assert again.by_name == built.by_name
    # one object per district: the indexes hold the very objects of ``districts``
    ids = {id(d) for d in again.districts.values()}
    for level in ("exact", "ascii", "folded", "alias"):
        for found in getattr(again.dist_index, level).values():
            assert {id(d) for d in found} <= ids
    assert resolve_district("Ngô Quyền", "Hải Phòng") == P("Hải Phòng", "Ngô Quyền")
    assert path.read_text(encoding="utf-8").startswith('{"format":"gazetteer-1"')


def test_gazetteer_damaged_cache_is_built_again(gazetteer_cache, tmp_path):
    gazetteer_cache._gazetteer()
    [path] = _cached_files(tmp_path)
    for damage in ('{"format":"gazetteer-1","provinces":[[1]]}', "{not json", '{"format":"other"}'):
        path.write_text(damage, encoding="utf-8")
        gazetteer_cache._gazetteer.cache_clear()
        g = gazetteer_cache._gazetteer()
        assert len(g.provinces) == 63 and canonical_province("Hải Phòng") == "Hải Phòng"


def test_gazetteer_cache_off_writes_nothing(gazetteer_cache, tmp_path, monkeypatch):
    monkeypatch.setenv(rules.CACHE_DIR_ENV, "off")
    assert gazetteer_cache._cache_path() is None
    assert len(gazetteer_cache._gazetteer().provinces) == 63
    assert _cached_files(tmp_path) == []


def test_gazetteer_cache_key_follows_the_place_rules(gazetteer_cache, tmp_path, monkeypatch):
    """Another rules/places.yaml (its renames feed the build) is another cache file."""
    before = gazetteer_cache._cache_path()
    d = tmp_path / "rules"
    d.mkdir()
    for name in ("places.yaml", "fragments.yaml"):
        (d / name).write_bytes((rules.RULES_DIR / name).read_bytes())
    monkeypatch.setattr(rules, "RULES_DIR", d)
    assert gazetteer_cache._cache_path() == before
    (d / "places.yaml").write_bytes((d / "places.yaml").read_bytes() + b"\n# edited\n")
    assert gazetteer_cache._cache_path() != before
