"""rag.units: the one reader of quantities with units, shared by facet typing and query understanding."""

from __future__ import annotations

import pytest

from rag.units import DIMENSIONS, canonical_unit, format_quantity, parse_quantities, parse_ranges, parse_sizes


def read(text: str, **kw) -> list[tuple[float, str]]:
    return [(round(q.value, 4), q.dimension) for q in parse_quantities(text, **kw)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.2kg", [(1200.0, "mass")]),
        ("68g(건전지 제외)", [(68.0, "mass")]),
        ("1팩 380mg", [(1.0, "count"), (0.38, "mass")]),
        ("1.2L", [(1200.0, "volume")]),
        ("591ml", [(591.0, "volume")]),
        ("27000mAh", [(27000.0, "charge")]),
        ("2만mAh", [(20000.0, "charge")]),
        ("가능(97Wh)", [(97.0, "energy")]),
        ("PD 65W(최대)", [(65.0, "power")]),
        ("약 52dB", [(52.0, "sound")]),
        ("4.5mm", [(4.5, "length")]),
        ("종아리(110cm)", [(1100.0, "length")]),
        ("3,000mm", [(3000.0, "length")]),
        ("20㎡(약 6평)", [(20.0, "area"), (19.8348, "area")]),
        ("25000Pa", [(25000.0, "pressure")]),
        ("약 12시간", [(720.0, "duration")]),
        ("최대 30분", [(30.0, "duration")]),
        ("1분 30초", [(1.0, "duration"), (0.5, "duration")]),
        ("약 6개월", [(6.0, "period")]),
        ("프레임 10년", [(120.0, "period")]),
        ("6시간 (70℃ 이상)", [(360.0, "duration"), (70.0, "temperature")]),
        ("최대 165도", [(165.0, "angle")]),
        ("100매", [(100.0, "count")]),
        ("60개입", [(60.0, "count")]),
        ("20g x 30봉", [(20.0, "mass"), (30.0, "count")]),
        ("1일 최대 10회", [(10.0, "times")]),
        ("풍량 12단", [(12.0, "levels")]),
        ("4겹 + 참숯 탈취층", [(4.0, "levels")]),
        ("면 80%, 폴리 20%", [(80.0, "percent"), (20.0, "percent")]),
        ("55gsm", [(55.0, "grammage")]),
        ("420g/㎡", [(420.0, "grammage")]),
        ("15,000g/㎡/24h", [(15000.0, "breathability")]),
        ("26000DPI 광학", [(26000.0, "resolution")]),
        ("2.4GHz USB 수신기", [(2_400_000_000.0, "frequency")]),
        ("1인", [(1.0, "people")]),
        ("3인분", [(3.0, "servings")]),
    ],
)
def test_each_unit_form_of_the_demo_reads_in_canonical_units(text, expected):
    assert read(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [  # forms the demo does not use but Korean listings do
        ("1.2㎏", [(1200.0, "mass")]),
        ("30㎝ x", [(300.0, "length")]),
        ("소음 35㏈", [(35.0, "sound")]),
        ("TV 55인치", [(1397.0, "length")]),
        ("5V 2A", [(5.0, "voltage"), (2.0, "current")]),
        ("128GB", [(128.0, "storage")]),
        ("1TB", [(1024.0, "storage")]),
        ("800lm", [(800.0, "luminous_flux")]),
        ("2년간", [(24.0, "period")]),
    ],
)
def test_other_unit_forms(text, expected):
    assert read(text) == expected


def test_words_are_not_quantities():
    assert read("9.5 알칼리성") == []  # 알 glued to 칼리성 is a word, not a count of pieces
    assert read("3세대 모델") == []  # a generation, not an age
    assert read("2024년형 신제품") == []  # a year
    assert read("AR-H800 모델") == []  # a model code
    assert read("USB-A 1, AA 건전지, 4D 팔걸이, 1ms 응답") == []  # letters that are units only after a number
    assert read("천장 만명") == []  # 천/만 without a digit
    assert read("2인이상") == [(2.0, "people")]  # a particle after the unit is fine


def test_a_quantity_glued_to_a_model_code_is_no_quantity():
    """The demo's real names: 'AR-500W' is the air purifier's model, not 500 W; the specs beside it still count."""
    import re

    from ingest.demo import DEMO_DATA
    from ingest.readers import discover
    from ingest.validate import validate

    products = validate(discover(str(DEMO_DATA))).products
    assert [(q.surface, q.dimension) for q in parse_quantities(products["APP-008"].name)] == [("50㎡", "area")]
    assert [q.surface for q in parse_quantities(products["DIG-008"].name)] == ["27000mAh", "65W"]  # … VB-27
    assert [q.surface for q in parse_quantities(products["PET-012"].name)] == ["5L"]  # … SF-500C
    codes = 0
    for product in products.values():
        for text in [product.name, *map(str, product.attributes.values())]:
            for code in re.finditer(r"(?<![0-9A-Za-z])[A-Za-z][A-Za-z0-9]*-\d[0-9A-Za-z]*", text):
                codes += 1
                inside = [q.surface for q in parse_quantities(text) if code.start() <= q.start < code.end()]
                assert inside == [], (product.product_id, code.group(0), inside)
    assert codes >= 20  # the demo names carry their model codes (LH-300, SF-400, AF-550 …)
    assert [(r.low, r.high) for r in parse_ranges("출력 10-20W")] == [(10.0, 20.0)]  # a range keeps its hyphen


def test_money_is_read_only_when_asked():
    """A question's prices belong to the query parser; a listing's 교체필터가격 is a facet."""
    assert read("교체필터 19,900원") == []
    assert read("교체필터 19,900원", money=True) == [(19900.0, "price")]


def test_ranges_borrow_the_unit_of_their_right_end():
    assert [(r.low, r.high, r.dimension) for r in parse_ranges("좌판높이 44~53cm")] == [(440.0, 530.0, "length")]
    assert [(r.low, r.high) for r in parse_ranges("4~5인")] == [(4.0, 5.0)]
    assert [(r.low, r.high) for r in parse_ranges("생후 6개월~4세")] == [(6.0, 48.0)]
    assert [(r.low, r.high) for r in parse_ranges("온도조절 80~200℃")] == [(80.0, 200.0)]
    assert parse_ranges("최저 30dB / 최대 48dB") == []  # a min/max pair is the facet typer's reading, not a range


def test_sizes_read_every_axis():
    (desk,) = parse_sizes("1200x600x740mm")
    assert desk.values == (1200.0, 600.0, 740.0) and desk.labels == ("", "", "")
    (cabinet,) = parse_sizes("W545 x D420 x H1050mm")
    assert cabinet.values == (545.0, 420.0, 1050.0) and cabinet.labels == ("W", "D", "H")
    (pad,) = parse_sizes("대형 60 x 45cm")
    assert pad.values == (600.0, 450.0) and pad.surface == "60 x 45cm"
    (named,) = parse_sizes("가로 120cm x 세로 60cm")
    assert named.values == (1200.0, 600.0) and named.labels == ("가로", "세로")
    assert parse_sizes("2 x 3") == []  # no length unit: no size
    assert parse_sizes("100g x 20팩") == []  # a pack, not a size


def test_every_dimension_has_its_canonical_unit_in_its_own_table():
    for dimension, (unit, table) in DIMENSIONS.items():
        assert canonical_unit(dimension) == unit
        assert table[unit.lower()] == 1, dimension
    with pytest.raises(ValueError, match="unknown dimension 'weight'; choose from mass"):
        canonical_unit("weight")


def test_format_quantity_reads_as_a_shopper_writes():
    assert format_quantity(1200, "mass") == "1.2kg"
    assert format_quantity(20000, "charge") == "20,000mAh"
    assert format_quantity(120, "duration") == "2시간"
    assert format_quantity(45, "duration") == "45분"
    assert format_quantity(1100, "length") == "1.1m"
