"""The GB/T 2260 region tree: stdnum's table plus our supplement, with history, successors and lookups."""

from io import StringIO

import pytest
from django.core.management import call_command

from core.models import Region, RegionLevel
from core.regions import (
    build_region_rows,
    load_regions,
    load_supplement,
    name_stem,
    parse_stdnum_table,
    resolve_region,
)


@pytest.fixture
def regions(db):
    """The full tree. The data migration loads it already; loading again is a cheap no-op that also survives
    tests elsewhere that flush the database."""
    load_regions()


def test_stdnum_table_parses_names_with_years():
    rows = {row.code: row for row in parse_stdnum_table()}
    assert len(rows) > 6800
    datong = rows["630121"]
    assert [(p.name, p.start, p.end) for p in datong.names] == [
        ("大通县", None, 1984),
        ("大通回族土族自治县", 1985, None),
    ]
    # Odd historical entries are kept as they are: traditional characters included.
    assert rows["632858"].names[-1].name == "冷湖行政委員會"


def test_supplement_is_well_formed_and_adds_what_stdnum_lacks():
    stdnum_codes = {row.code for row in parse_stdnum_table()}
    supplement = load_supplement()
    assert all(item.note for item in supplement), "every supplement row says where it comes from"
    assert len({item.code for item in supplement}) == len(supplement)
    added = {item.code for item in supplement if item.code not in stdnum_codes}
    assert {"330113", "330114"} <= added


def test_name_stem_strips_units_and_autonomy():
    assert name_stem("平安县") == name_stem("平安区") == "平安"
    assert name_stem("大通回族土族自治县") == "大通"
    assert name_stem("海西蒙古族藏族哈萨克族自治州") == "海西"
    assert name_stem("海东地区") == name_stem("海东市") == "海东"
    assert name_stem("沙县区") == name_stem("沙县") == "沙"


@pytest.mark.django_db
def test_qinghai_tree(regions):
    province = Region.objects.get(code="630000")
    assert (province.level, province.full_name, province.parent_id) == (RegionLevel.PROVINCE, "青海省", None)
    prefectures = Region.objects.current().filter(level=RegionLevel.PREFECTURE, code__startswith="63")
    assert sorted(prefectures.values_list("code", flat=True)) == [
        "630100",
        "630200",
        "632200",
        "632300",
        "632500",
        "632600",
        "632700",
        "632800",
    ]
    assert set(prefectures.values_list("parent_id", flat=True)) == {"630000"}
    xining = Region.objects.get(code="630100")
    assert xining.full_name == "青海省西宁市"
    chengdong = Region.objects.get(code="630102")
    assert (chengdong.name, chengdong.full_name, chengdong.parent_id) == (
        "城东区",
        "青海省西宁市城东区",
        "630100",
    )
    assert chengdong.level == RegionLevel.COUNTY
    assert chengdong.is_current


@pytest.mark.django_db
def test_old_ping_an_county_leads_to_ping_an_district(regions):
    old = Region.objects.get(code="632121")
    assert (old.name, old.valid_to, old.is_current) == ("平安县", 2013, False)
    # Named as it was when abolished: 海东 was still a 地区 then.
    assert old.full_name == "青海省海东地区平安县"
    assert old.parent_id == "632100"
    assert old.successor_id == "630203"
    middle = Region.objects.get(code="630221")
    assert (middle.valid_from, middle.valid_to, middle.successor_id) == (2013, 2015, "630203")
    new = Region.objects.get(code="630203")
    assert (new.name, new.valid_from, new.valid_to, new.successor_id) == ("平安区", 2015, None, None)


@pytest.mark.parametrize(
    ("old", "current"),
    [
        ("632121", "630203"),  # 平安县 → (630221 平安县) → 平安区, a chain
        ("630122", "630106"),  # 湟中县 → 湟中区 (2019)
        ("632124", "630106"),  # the older 湟中县 of 海东地区, two steps
        ("632321", "632301"),  # 同仁县 → 同仁市 (2020)
        ("632721", "632701"),  # 玉树县 → 玉树市 (2013)
        ("632100", "630200"),  # 海东地区 → 海东市, prefecture to prefecture
        ("632859", "632803"),  # 茫崖行政委員會 → 茫崖市
        ("330103", "330105"),  # 下城区 → 拱墅区, explicit in the supplement
        ("429001", "421303"),  # explicit 421302 曾都区, then re-coded 421303 in 2009
        ("350427", "350405"),  # 沙县 → 沙县区 (stem 沙 on both sides)
    ],
)
@pytest.mark.django_db
def test_successors(regions, old, current):
    region = Region.objects.get(code=old)
    assert not region.is_current
    assert region.successor_id == current
    assert region.successor.is_current
    assert region.successor.level == region.level


@pytest.mark.django_db
def test_recent_codes_from_the_supplement(regions):
    qiantang = Region.objects.get(code="330114")
    assert (qiantang.name, qiantang.full_name, qiantang.valid_from) == ("钱塘区", "浙江省杭州市钱塘区", 2021)
    assert qiantang.is_current and qiantang.parent_id == "330100"
    assert qiantang.names == [{"name": "钱塘区", "from": 2021, "to": None}]
    assert Region.objects.get(code="330113").name == "临平区"
    # stdnum lists these without years; the supplement closes them.
    assert Region.objects.get(code="429001").valid_to == 2000
    assert Region.objects.get(code="422921").successor_id == "429021"


@pytest.mark.django_db
def test_full_names_skip_placeholders(regions):
    assert Region.objects.get(code="110101").full_name == "北京市东城区"  # 110100 市辖区 skipped
    assert Region.objects.get(code="500229").full_name == "重庆市城口县"  # 500200 县 skipped
    assert Region.objects.get(code="429004").full_name == "湖北省仙桃市"  # 省直辖县级行政单位 skipped
    assert Region.objects.get(code="110100").level == RegionLevel.PREFECTURE
    assert Region.objects.get(code="429004").parent_id == "429000"


@pytest.mark.django_db
def test_national_counts_are_plausible(regions):
    assert 6850 <= Region.objects.count() <= 6950
    assert Region.objects.current().filter(level=RegionLevel.PROVINCE).count() == 34
    # County-level units in use, without the 市辖区 placeholder codes: MCA counts 2,845 for 2025; we have the
    # same plus the four 大兴安岭 codes 232761-232764 that the statistics code list carries.
    counties = Region.objects.current().filter(level=RegionLevel.COUNTY).exclude(name="市辖区")
    assert 2840 <= counties.count() <= 2855
    abolished = Region.objects.filter(valid_to__isnull=False)
    assert abolished.count() > 3000
    # Successors are always current codes: chains are followed to their end.
    assert not Region.objects.filter(successor__valid_to__isnull=False).exists()
    assert abolished.filter(successor__isnull=False).count() > 2500


def test_build_is_internally_consistent():
    rows = build_region_rows()
    by_code = {row.code: row for row in rows}
    position = {row.code: index for index, row in enumerate(rows)}
    assert len(by_code) == len(rows)
    for row in rows:
        if row.parent_code:
            assert by_code[row.parent_code].level != row.level
            assert position[row.parent_code] < position[row.code], "parents are written first"
        if row.successor_code:
            assert row.valid_to is not None
            assert by_code[row.successor_code].valid_to is None


@pytest.mark.django_db
def test_loading_twice_changes_nothing(regions):
    before = {region.code: region for region in Region.objects.all()}
    counts = load_regions()
    assert counts == {"created": 0, "updated": 0, "total": len(before)}
    after = {region.code: region for region in Region.objects.all()}
    for code, region in before.items():
        other = after[code]
        assert (region.name, region.full_name, region.parent_id, region.successor_id, region.names) == (
            other.name,
            other.full_name,
            other.parent_id,
            other.successor_id,
            other.names,
        )


@pytest.mark.django_db
def test_loading_repairs_missing_and_edited_rows(regions):
    Region.objects.filter(code="630102").update(name="错名", full_name="错名")
    Region.objects.filter(code="632121").update(successor=None)
    Region.objects.filter(code="330114").delete()
    counts = load_regions()
    assert counts["created"] == 1
    assert counts["updated"] == 2
    assert Region.objects.get(code="630102").full_name == "青海省西宁市城东区"
    assert Region.objects.get(code="632121").successor_id == "630203"
    assert Region.objects.filter(code="330114").exists()


@pytest.mark.django_db
def test_load_regions_command_prints_one_line(regions):
    out = StringIO()
    call_command("load_regions", stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 1
    assert "新增 0" in lines[0] and "更新 0" in lines[0]


@pytest.mark.django_db
def test_resolve_region(regions):
    assert resolve_region("630102").full_name == "青海省西宁市城东区"
    assert resolve_region(" 632121 ").name == "平安县"  # abolished codes resolve too
    assert resolve_region("999999") is None
    assert resolve_region("青海省西宁市城东区").code == "630102"
    assert resolve_region("西宁市城东区").code == "630102"
    assert resolve_region("青海省西宁市").code == "630100"
    assert resolve_region("杭州市钱塘区").code == "330114"
    # Names find current codes only: 平安县 is gone, 平安区 is what a roster means today.
    assert resolve_region("海东市平安区").code == "630203"
    assert resolve_region("朝阳区") is None  # ambiguous (北京, 长春)
    assert resolve_region("") is None
    assert resolve_region("不存在的地方") is None
