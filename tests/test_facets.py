"""Typed facets: the demo catalog's real attribute strings, a user catalog with other keys, bad values, and the
three-valued spec and requirement matching that ranking relies on."""

from __future__ import annotations

import json
import math
import re

import pytest

from ingest.demo import DEMO_DATA
from rag.catalog_shape import CatalogShape
from rag.facets import (
    USUAL_KEYS,
    Facet,
    describe,
    match_requirement,
    match_spec,
    spec_facet,
    spec_value,
    summarize,
    type_attributes,
)
from rag.query.model import AttributeRequirement, SpecConstraint
from rag.records import Product


def _demo_products() -> dict[str, Product]:
    fields = set(Product.__dataclass_fields__)
    out = {}
    for path in sorted(DEMO_DATA.glob("*.products.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            out[row["product_id"]] = Product(**{k: v for k, v in row.items() if k in fields})
    return out


DEMO = _demo_products()
FACETS = {pid: type_attributes(pid, p.attributes) for pid, p in DEMO.items()}


def main_reading(pid: str, key: str) -> list[Facet]:
    """The facets a demo value's main reading gave (not the derived ones); the value is the catalog's own string."""
    assert key in DEMO[pid].attributes, (pid, key)
    return [f for f in FACETS[pid] if f.key == key and not f.source]


def one(pid: str, key: str) -> Facet:
    (facet,) = main_reading(pid, key)
    return facet


def derived(pid: str, thing: str) -> Facet:
    (facet,) = [f for f in FACETS[pid] if f.key == thing and f.source]
    return facet


def in_category(leaf: str) -> list[str]:
    return [pid for pid, p in DEMO.items() if p.category.endswith(">" + leaf)]


# --- typing the demo's own strings -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("pid", "key", "dimension", "value", "unit"),
    [
        ("APP-001", "용량", "volume", 3000, "ml"),  # 3L
        ("BEA-001", "용량", "volume", 50, "ml"),  # 50ml
        ("APP-005", "무게", "mass", 1100, "g"),  # 1.1kg
        ("SPO-006", "무게", "mass", 690, "g"),  # 690g
        ("DIG-008", "용량", "charge", 27000, "mAh"),
        ("APP-002", "소비전력", "power", 280, "W"),
        ("LIV-004", "소음", "sound", 52, "dB"),  # 약 52dB
        ("SPO-009", "두께", "length", 4.5, "mm"),
        ("FUR-007", "두께", "length", 200, "mm"),  # 20cm
        ("APP-008", "사용면적", "area", 50, "㎡"),  # 50㎡(약 15평)
        ("APP-011", "흡입력", "pressure", 25000, "Pa"),
        ("APP-010", "충전시간", "duration", 240, "분"),  # 약 4시간
        ("APP-012", "사용시간", "duration", 20, "분"),  # 약 20분
        ("PET-008", "매수", "count", 200, "개"),  # 200매
        ("LIV-012", "구성", "count", 60, "개"),  # 60개입
        ("KID-005", "평량", "grammage", 80, "gsm"),  # 80gsm (두꺼움)
        ("FAS-004", "원단중량", "grammage", 420, "gsm"),  # 420g/㎡
        ("FAS-012", "내수압", "length", 20000, "mm"),  # 20,000mm 내수압
        ("LIV-006", "권장인원", "people", 1, "인"),
        ("APP-007", "교체필터가격", "price", 19900, "원"),
        ("APP-007", "필터교체주기", "period", 6, "개월"),
        ("FUR-002", "리클라이닝", "angle", 165, "°"),
        ("APP-004", "풍량", "levels", 12, "단"),
        ("FOO-004", "나트륨", "mass", 0.38, "g"),  # 1팩 380mg
        ("FUR-008", "스프링수", "count", 1024, "개"),  # 1,024개
        ("FOO-004", "조리", "duration", 1.5, "분"),  # 전자레인지 1분 30초
    ],
)
def test_each_unit_of_the_demo_is_normalised(pid, key, dimension, value, unit):
    facet = main_reading(pid, key)[0]
    assert facet.kind == "number" and facet.dimension == dimension and facet.unit == unit
    assert math.isclose(facet.low, value) and facet.low == facet.high


def test_qualifiers_say_what_the_number_is_about():
    assert one("SHO-007", "무게").qualifier == "한쪽, 250mm"  # 330g(한쪽, 250mm)
    assert one("DIG-001", "무게").qualifier == "한쪽"
    assert one("APP-005", "사용시간").qualifier == "최대, 1단 기준"
    assert one("APP-007", "소음").qualifier == "최저, 수면모드"
    assert one("FAS-001", "총기장").qualifier == "L 기준"


@pytest.mark.parametrize(
    ("pid", "key", "low", "high"),
    [
        ("FUR-001", "좌판높이", 440, 530),  # 44~53cm
        ("SPO-002", "수용인원", 4, 5),  # 4~5인
        ("APP-005", "소음", 30, 48),  # 최저 30dB / 최대 48dB
        ("APP-008", "소음", 24, 52),  # 최저 24dB / 터보 52dB
        ("LIV-001", "사이즈", 240, 280),  # 24cm / 26cm / 28cm
        ("FAS-007", "기장", 980, 1040),  # 숏 98cm / 롱 104cm
        ("DIG-010", "DPI", 800, 1600),  # 800/1200/1600: the key names the unit
        ("LIV-004", "온도조절", 80, 200),  # 80~200℃
        ("KID-012", "사용연령", 4, 36),  # 4개월~36개월, 15kg
        ("APP-010", "사용시간", 10, 30),  # 최대 30분(약 모드) / 강 모드 약 10분
    ],
)
def test_ranges_and_min_max_pairs(pid, key, low, high):
    (facet,) = [f for f in main_reading(pid, key) if f.kind == "range"]
    assert (facet.low, facet.high) == (low, high)


def test_min_max_pair_keeps_its_labels():
    assert one("APP-006", "소음").qualifier == "최저/최대"


def test_sizes_and_packs():
    desk = main_reading("FUR-004", "사이즈")  # 1200x600x740mm
    assert [(f.qualifier, f.low) for f in desk] == [("가로", 1200), ("세로", 600), ("높이", 740)]
    cabinet = main_reading("FUR-010", "사이즈")  # W545 x D420 x H1050mm
    assert [f.qualifier for f in cabinet] == ["가로(W)", "깊이(D)", "높이(H)"]
    chicken = main_reading("FOO-004", "중량")  # 100g x 20팩
    assert [(f.dimension, f.low, f.qualifier) for f in chicken] == [("mass", 2000, "총"), ("count", 20, "")]
    assert [f.low for f in FACETS["FOO-004"] if f.key == "중량" and f.source] == [100]  # per pack, derived
    wipes = main_reading("KID-004", "매수")  # 100매 x 10팩: the total is the count
    assert [(f.low, f.qualifier) for f in wipes] == [(1000, "총")]


@pytest.mark.parametrize(
    ("pid", "key", "flag"),
    [
        ("APP-004", "리모컨", True),  # 있음(자석 부착형)
        ("APP-006", "리모컨", False),  # 없음
        ("KID-008", "양대면", True),  # 가능
        ("DIG-007", "노트북충전", False),  # 불가
        ("PET-004", "향", False),  # 무향
        ("PET-005", "향", False),  # 무향 (오리지널)
        ("LIV-011", "형광증백제", False),  # 무첨가
        ("BEA-011", "실리콘", True),  # 함유
        ("BEA-012", "실리콘", False),  # 무실리콘
        ("PET-004", "변기배출", False),  # 불가 (일반쓰레기)
        ("PET-011", "와이파이", False),  # 없음 (버튼식)
        ("FAS-004", "기모", True),  # 있음(도톰)
        ("FAS-006", "기모", False),  # 없음(쭈리)
        ("LIV-003", "인덕션", False),  # 사용 불가 (가스레인지 전용)
        ("LIV-002", "식기세척기", True),  # 사용 가능
        ("LIV-009", "차량컵홀더", False),  # 호환 안 됨
        ("LIV-007", "밀폐", False),  # 비밀폐 (빨대형, 눕히면 샘)
        ("DIG-001", "멀티포인트", False),  # 미지원
        ("DIG-003", "무선충전", True),  # 지원
        ("FOO-003", "쇼핑백", True),  # 동봉
    ],
)
def test_polarity(pid, key, flag):
    facet = one(pid, key)
    assert facet.kind == "flag" and facet.flag is flag


def test_a_flag_keeps_the_numbers_its_detail_states():
    assert one("FAS-004", "기모").qualifier == "도톰"
    energy = [f for f in FACETS["DIG-008"] if f.key == "기내반입" and f.dimension == "energy"]  # 가능(97Wh)
    assert [(f.low, f.source) for f in energy] == [(97, "기내반입")]


def test_enumerations():
    assert one("APP-003", "가습방식").options == ("복합식", "가열", "초음파")  # 복합식(가열+초음파)
    assert one("FUR-010", "색상").options == ("화이트", "그레이")  # 화이트 / 그레이
    assert one("APP-002", "가습방식").options == ("가열식",)
    assert one("BEA-004", "주요성분").options == ("세라마이드", "판테놀")


def test_derived_flags_name_the_thing_present_or_absent():
    assert derived("FOO-012", "고춧가루").flag is False  # 맵기: 안 매움 (고춧가루 무첨가)
    assert one("FOO-012", "젓갈").flag is False  # 젓갈: 없음 (비건)
    assert derived("KID-005", "판테놀").flag is True  # 성분: 정제수 99.1%, 판테놀 함유
    assert derived("FUR-003", "조립").flag is False  # 배송형태: 완제품(조립 불필요)
    assert derived("SHO-008", "물세탁").flag is False  # 세탁: 가죽 클리너 사용(물세탁 불가)


def test_every_demo_value_is_kept_and_counted():
    values = sum(len(p.attributes) for p in DEMO.values())
    summary = summarize([f for fs in FACETS.values() for f in fs])
    assert values == 845 and summary.values == values and summary.typed + summary.text == values
    assert summary.text <= 0.02 * values  # a sentence such as '물 부족 시 자동 정지' is all that is left as text
    assert ("APP-001", "자동꺼짐", "물 부족 시 자동 정지") in summary.text_values
    for pid, product in DEMO.items():  # every value has its main reading, with the raw string as written
        for key, value in product.attributes.items():
            assert {f.raw for f in main_reading(pid, key)} == {value.strip()}, (pid, key)


# --- other catalogs ---------------------------------------------------------------------------------------------
USER_CATALOG = [
    Product(
        "U1",
        "에어핏 무선청소기",
        "가전>청소기",
        attributes={
            "Weight (kg)": 1.25,
            "battery_mAh": "4,500",
            "Noise": "68 dB",
            "Waterproof": "Yes",
            "Colors": ["red", "navy"],
        },
    ),
    Product(
        "U2",
        "코지 전기요",
        "가전>계절가전>전기요",
        attributes={
            "크기(cm)": "180x135",
            "소비전력": "150 W",
            "세탁": "세탁기 가능",
            "타이머": "12시간 자동꺼짐",
            "Wi-Fi": "No",
        },
    ),
    Product(
        "U3",
        "하이드로 보틀",
        "생활>보틀",
        attributes={"용량(ml)": 750, "무게": "0.35 kg", "BPA": "free", "온도 유지": "24h", "호환": "차량 컵홀더 O"},
    ),
    Product(
        "U4",
        "빅캠프 타프",
        "캠핑>타프",
        attributes={"크기": "4.2 x 4.0 m", "내수압": "3000 mm", "무게": "1.9kg (폴 제외)", "폴": "미포함"},
    ),
    Product("U5", "노브랜드 물티슈", "생활>물티슈", attributes={"매수": "80매 x 6팩", "원단": "60 gsm", "향": "무향"}),
    Product(
        "U6", "스마트 체중계", "디지털>체중계", attributes={"측정범위": "5~180kg", "앱 연동": True, "배터리": "AAA 3개"}
    ),
    Product(
        "U7",
        "Travel Kettle",
        "가전>주방",
        attributes={
            "Capacity": "0.8 L",
            "Charger": "Not included",
            "Features": "Auto shut-off, Bluetooth supported",
            "Voltage": "110-240V",
        },
    ),
]


def test_sizes_from_other_catalogs_and_the_axis_a_spec_names():
    desk = type_attributes("D1", {"크기": "120 x 60 x 75 (cm)"})  # the unit in a parenthesis
    assert [(f.qualifier, f.low) for f in desk] == [("가로", 1200), ("세로", 600), ("높이", 750)]
    rug = type_attributes("R1", {"사이즈": "가로 200cm x 세로 150cm"})
    assert match_spec(rug, SpecConstraint("length", ">=", 1800, "가로")) is True
    assert match_spec(rug, SpecConstraint("length", ">=", 1800, "세로")) is False


def test_a_user_catalog_with_other_keys_and_units_goes_through_the_same_rules():
    f = {p.product_id: type_attributes(p.product_id, p.attributes) for p in USER_CATALOG}
    by = {(fa.product_id, fa.key): fa for fa in reversed(list(x for fs in f.values() for x in fs)) if not fa.source}
    assert (by["U1", "Weight (kg)"].dimension, by["U1", "Weight (kg)"].low) == ("mass", 1250)  # unit in the key
    assert (by["U1", "battery_mAh"].dimension, by["U1", "battery_mAh"].low) == ("charge", 4500)
    assert by["U1", "Noise"].low == 68 and by["U1", "Waterproof"].flag is True
    assert by["U1", "Colors"].options == ("red", "navy")
    assert [x.low for x in f["U2"] if x.key == "크기(cm)"] == [1800, 1350]
    assert by["U2", "Wi-Fi"].flag is False and by["U2", "세탁"].flag is True
    assert (by["U3", "용량(ml)"].dimension, by["U3", "용량(ml)"].low) == ("volume", 750)
    assert by["U3", "온도 유지"].low == 24 * 60
    assert by["U4", "무게"].low == 1900 and by["U4", "무게"].qualifier == "폴 제외" and by["U4", "폴"].flag is False
    assert [x.low for x in f["U4"] if x.key == "크기"] == [4200, 4000]
    assert (by["U5", "매수"].low, by["U5", "원단"].dimension) == (480, "grammage") and by["U5", "향"].flag is False
    assert (by["U6", "측정범위"].low, by["U6", "측정범위"].high) == (5000, 180000) and by["U6", "앱 연동"].flag
    assert by["U7", "Charger"].flag is False and by["U7", "Capacity"].low == 800
    assert (by["U7", "Voltage"].low, by["U7", "Voltage"].high) == (110, 240)
    assert [x.flag for x in f["U7"] if x.key == "Bluetooth"] == [True]  # a derived flag, in English
    # and the matching works on them
    assert match_spec(f["U3"], SpecConstraint("mass", "<=", 400)) is True
    assert match_spec(f["U4"], SpecConstraint("length", ">=", 2000, "내수압")) is True
    assert match_spec(f["U1"], SpecConstraint("sound", "<=", 60)) is False
    assert match_spec(f["U2"], SpecConstraint("mass", "<=", 400)) is None
    wifi = AttributeRequirement("와이파이", ("와이파이", "wifi", "wi-fi"))
    assert match_requirement(USER_CATALOG[1], f["U2"], wifi) is False


@pytest.mark.parametrize("bad", [None, "", "   ", "N/A", "???", {"nested": 1}, float("nan"), "-", "·", [{"a": 1}]])
def test_bad_values_are_kept_as_text_and_counted(bad):
    facets = type_attributes("B1", {"무게": "300g", "비고": bad})
    assert [f.key for f in facets] == ["무게", "비고"]
    note = facets[1]
    assert note.kind == "text" and note.raw == ("" if bad is None else str(bad).strip())
    summary = summarize(facets)
    assert (summary.values, summary.typed, summary.text) == (2, 1, 1)
    assert summary.text_values == [("B1", "비고", note.raw)]
    assert summary.to_dict()["text_examples"] == [f"비고: {note.raw}"]  # what the ingest summary shows


def test_a_catalog_without_attributes_is_unaffected():
    """NSMC: movies without attributes have no facets, and the shape lists them with no facets."""
    movies = [Product(f"M{i}", f"영화 M{i}", "영화") for i in range(3)]
    assert all(type_attributes(m.product_id, m.attributes) == [] for m in movies)
    assert summarize([]).values == 0
    shape = CatalogShape.from_products(movies, {})
    assert [(c.path, c.products, c.facets) for c in shape.categories] == [("영화", 3, [])]


# --- matching ---------------------------------------------------------------------------------------------------
def matches(leaf: str, spec: SpecConstraint) -> dict[str, bool | None]:
    return {pid: match_spec(FACETS[pid], spec) for pid in in_category(leaf)}


def test_match_spec_on_the_issue_examples():
    assert matches("요가매트", SpecConstraint("length", "<=", 5, "두께")) == {
        "SPO-007": False, "SPO-008": False, "SPO-009": True}  # fmt: skip
    assert matches("에어프라이어", SpecConstraint("sound", "<=", 50)) == {
        "LIV-004": False, "LIV-005": False, "LIV-006": True}  # fmt: skip
    assert matches("등산화", SpecConstraint("mass", "<=", 500, "한쪽")) == {
        "SHO-001": True, "SHO-002": False, "SHO-003": True}  # fmt: skip
    assert matches("보조배터리", SpecConstraint("charge", ">=", 20000)) == {
        "DIG-007": False, "DIG-008": True, "DIG-009": False}  # fmt: skip


def test_match_spec_is_three_valued():
    assert match_spec(FACETS["APP-005"], SpecConstraint("mass", "<=", 1500)) is True
    assert match_spec(FACETS["APP-005"], SpecConstraint("mass", "<=", 1000)) is False
    assert match_spec(FACETS["APP-004"], SpecConstraint("mass", "<=", 1500)) is None  # no weight stated
    assert match_spec([], SpecConstraint("mass", "<=", 1500)) is None


def test_strict_bounds_at_the_boundary():
    assert match_spec(FACETS["LIV-006"], SpecConstraint("sound", "<=", 48)) is True
    assert match_spec(FACETS["LIV-006"], SpecConstraint("sound", "<", 48)) is False
    assert match_spec(FACETS["LIV-006"], SpecConstraint("sound", ">", 48)) is False


def test_a_range_meets_a_bound_when_some_value_in_it_does():
    """'≤' reads the low end (the quietest setting), '≥' the high end (how far the desk rises)."""
    fan = FACETS["APP-006"]  # 최저 38dB / 최대 52dB
    assert match_spec(fan, SpecConstraint("sound", "<=", 40)) is True
    assert match_spec(fan, SpecConstraint("sound", "<=", 35)) is False
    assert match_spec(fan, SpecConstraint("sound", ">=", 50)) is True
    desk = FACETS["FUR-005"]  # 높이조절: 전동 72~118cm
    assert match_spec(desk, SpecConstraint("length", ">=", 1100, "높이조절")) is True
    assert match_spec(desk, SpecConstraint("length", ">=", 1200, "높이조절")) is False
    tent = FACETS["SPO-001"]  # 3~4인
    assert match_spec(tent, SpecConstraint("people", ">=", 4)) is True
    assert match_spec(tent, SpecConstraint("people", ">=", 5)) is False


def test_the_hint_picks_the_facet_and_a_hint_naming_nothing_is_unstated():
    chair = FACETS["FUR-002"]  # 최대하중 130kg, 제품무게 23kg
    assert match_spec(chair, SpecConstraint("mass", "<=", 25000)) is True  # the usual key 무게 (제품무게)
    assert match_spec(chair, SpecConstraint("mass", ">=", 120000, "하중")) is True
    office = FACETS["FUR-001"]  # only 최대하중 100kg: no weight of the chair itself
    assert match_spec(office, SpecConstraint("mass", "<=", 25000)) is None
    assert match_spec(office, SpecConstraint("mass", "<=", 25000, "무게")) is None
    tent = FACETS["SPO-001"]  # 내수압 1500mm beside a 240×210×140cm size
    assert match_spec(tent, SpecConstraint("length", ">=", 2000, "내수압")) is False
    assert match_spec(tent, SpecConstraint("length", ">=", 2000, "두께")) is None
    earphones = FACETS["DIG-001"]  # 재생시간 7시간(케이스 포함 28시간)
    assert match_spec(earphones, SpecConstraint("duration", ">=", 20 * 60)) is False
    assert match_spec(earphones, SpecConstraint("duration", ">=", 20 * 60, "케이스")) is True
    # a derived number (ANC 최대 -35dB) is no noise level of the earphones
    assert match_spec(earphones, SpecConstraint("sound", "<=", 30, "소음")) is None


def test_spec_value_orders_superlatives():
    lightest = sorted(in_category("유모차"), key=lambda pid: spec_value(FACETS[pid], "mass"))
    assert lightest == ["KID-007", "KID-009", "KID-008"]  # 5.9, 8.2, 11.8 kg
    assert spec_value(FACETS["APP-005"], "sound", direction="min") == 30  # its quietest setting
    assert spec_value(FACETS["APP-005"], "sound", direction="max") == 48
    assert spec_value(FACETS["SPO-008"], "length") is None  # 두께 or 크기? ambiguous without a hint
    assert spec_value(FACETS["SPO-008"], "length", "두께") == 6
    assert spec_value(FACETS["FOO-004"], "mass", direction="max") == 2000  # the pack's total
    with pytest.raises(ValueError, match="direction must be 'min' or 'max'"):
        spec_value(FACETS["SPO-008"], "length", direction="lightest")


def test_the_answer_can_cite_the_facet_a_spec_was_judged_by():
    mat = spec_facet(FACETS["SPO-008"], SpecConstraint("length", "<=", 5, "두께"))
    assert describe(mat) == "두께 6mm"
    assert spec_facet(FACETS["APP-004"], SpecConstraint("mass", "<=", 1500)) is None  # '무게 정보 없음'
    assert describe(one("APP-005", "소음")) == "소음 30dB~48dB(최저/최대)"
    assert describe(one("SHO-007", "무게")) == "무게 330g(한쪽, 250mm)"
    assert describe(one("APP-006", "리모컨")) == "리모컨 없음"
    assert describe(one("APP-003", "가습방식")) == "가습방식 복합식·가열·초음파"
    assert describe(one("APP-001", "자동꺼짐")) == "자동꺼짐 물 부족 시 자동 정지"


def has(pid: str, label: str, *terms: str) -> bool | None:
    return match_requirement(DEMO[pid], FACETS[pid], AttributeRequirement(label, terms or (label,)))


def test_match_requirement_on_the_issue_examples():
    assert [has(p, "기모") for p in ("FAS-004", "FAS-005", "FAS-006")] == [True, False, False]
    assert [has(p, "와이파이", "와이파이", "wifi") for p in ("PET-010", "PET-011", "PET-012")] == [True, False, True]
    assert [has(p, "고춧가루") for p in ("FOO-010", "FOO-011", "FOO-012")] == [True, True, False]
    assert [has(p, "젓갈") for p in ("FOO-010", "FOO-011", "FOO-012")] == [True, None, False]


def test_match_requirement_is_three_valued_and_keyed_values_are_authoritative():
    assert has("SHO-001", "방수") is True  # 방수 멤브레인(투습)
    assert has("SHO-003", "방수") is False  # 없음(통기 메쉬)
    assert has("DIG-003", "방수", "방수", "ip") is True  # 방수등급: IPX5
    assert has("APP-005", "리모컨") is None  # it does not say
    assert has("PET-004", "향") is False  # 무향: the 향 key says it has none
    assert has("BEA-005", "향") is True  # 은은한 그린티향
    assert has("LIV-001", "식기세척기") is False  # 사용 불가
    assert has("DIG-011", "충전식") is True  # 전원: 충전식(USB-C, 500mAh)
    assert has("KID-005", "판테놀") is True  # the derived flag
    # a keyed 'no' beats a name that mentions the thing
    boots = Product("X1", "방수 느낌 캔버스 부츠", attributes={"방수": "없음"})
    assert match_requirement(boots, type_attributes("X1", boots.attributes), AttributeRequirement("방수", ("방수",)))\
        is False  # fmt: skip


def test_denials_in_place_as_rag_query_reads_them():
    """The product side of rag.query.parser.satisfies_attribute: '비방수', '방수 불가', '물세탁 불가'."""
    waterproof = AttributeRequirement("방수", ("방수",))
    for attributes in ({"소재": "비방수 캔버스"}, {"특징": "생활 방수 불가"}):
        product = Product("X", "캔버스화", attributes=attributes)
        assert match_requirement(product, type_attributes("X", attributes), waterproof) is False
    jacket = Product("X2", "가죽 자켓", attributes={"세탁": "가죽 클리너 사용(물세탁 불가)"})
    washable = AttributeRequirement("물세탁", ("물세탁",))
    assert match_requirement(jacket, type_attributes("X2", jacket.attributes), washable) is False
    assert match_requirement(Product("X3", "러닝화"), [], waterproof) is None
    assert match_requirement(Product("X4", "방수 러닝화"), [], waterproof) is True  # the name says so


@pytest.mark.parametrize(
    ("pid", "label", "terms", "expected"),
    [  # the cases rag.query's satisfies_attribute was tested on, now read from facets
        ("SHO-001", "방수", ("방수", "워터프루프", "ip"), True),  # 방수 멤브레인(투습)
        ("SHO-003", "방수", ("방수", "워터프루프", "ip"), False),  # 없음(통기 메쉬)
        ("BEA-003", "방수", ("방수", "워터프루프", "ip"), True),  # 워터프루프: 있음
        ("BEA-001", "방수", ("방수", "워터프루프", "ip"), False),  # 워터프루프: 없음
        ("DIG-001", "노이즈캔슬링", ("노이즈캔슬링", "anc"), True),
        ("DIG-002", "노이즈캔슬링", ("노이즈캔슬링", "anc"), False),
        ("LIV-001", "인덕션", ("인덕션", "ih"), True),
        ("LIV-003", "인덕션", ("인덕션", "ih"), False),  # 사용 불가 (가스레인지 전용)
        ("KID-007", "기내반입", ("기내반입",), True),
        ("KID-008", "기내반입", ("기내반입",), False),  # 불가
        ("APP-005", "무선", ("무선", "코드리스", "충전식"), True),  # 전원: 무선 충전식(USB-C)
        ("APP-004", "무선", ("무선", "코드리스", "충전식"), None),  # 전원: 유선(DC 어댑터) says nothing of 무선
        ("FOO-009", "디카페인", ("디카페인", "decaf"), True),
    ],
)
def test_match_requirement_covers_what_the_parser_read(pid, label, terms, expected):
    assert match_requirement(DEMO[pid], FACETS[pid], AttributeRequirement(label, terms)) is expected


# --- hard specs are never violated: every numeric facet of the demo, read again independently ----------------------
# a reading of raw strings written for this test only: unit → (dimension, factor), longest first
_TEST_UNITS = {
    "kg": ("mass", 1000), "mg": ("mass", 0.001), "g": ("mass", 1), "ml": ("volume", 1), "L": ("volume", 1000),
    "mAh": ("charge", 1), "Wh": ("energy", 1), "W": ("power", 1), "dB": ("sound", 1), "mm": ("length", 1),
    "cm": ("length", 10), "㎡": ("area", 1), "Pa": ("pressure", 1), "시간": ("duration", 60), "분": ("duration", 1),
    "초": ("duration", 1 / 60), "개월": ("period", 1), "년": ("period", 12), "세": ("period", 12),
    "주": ("period", 7 / 30), "℃": ("temperature", 1), "도": ("angle", 1), "개입": ("count", 1), "개": ("count", 1),
    "매": ("count", 1), "팩": ("count", 1), "봉": ("count", 1), "캔": ("count", 1), "장": ("count", 1),
    "알": ("count", 1), "세트": ("count", 1), "인": ("people", 1), "회": ("times", 1), "단": ("levels", 1),
    "겹": ("levels", 1), "%": ("percent", 1), "gsm": ("grammage", 1), "g/㎡": ("grammage", 1),
    "g/㎡/24h": ("breathability", 1), "DPI": ("resolution", 1), "GHz": ("frequency", 1e9), "원": ("price", 1),
    "회분": ("servings", 1), "평": ("area", 3.3058),
}  # fmt: skip
_UNIT_RE = "|".join(re.escape(u) for u in sorted(_TEST_UNITS, key=len, reverse=True))
_QTY = re.compile(rf"(\d[\d,]*(?:\.\d+)?)\s*({_UNIT_RE})(?![A-Za-z])")


def _read(text: str, key: str) -> dict[str, list[float]] | None:
    if re.search(r"\d\s*(?:[a-zA-Z㎡%]+)?\s*[x×]\s*[A-Z]?\d", text) and not re.search(r"[x×]\s*\d+\s*[팩봉캔]", text):
        return None  # a size: its axes are checked by test_sizes_and_packs
    text = re.sub(r"(\d+)분\s*(\d+)초", lambda m: f"{int(m[1]) + int(m[2]) / 60}분", text)
    pack = re.search(rf"(\d[\d,.]*)\s*({_UNIT_RE})\s*[x×]\s*(\d+)\s*([팩봉캔])", text)
    if pack:  # '100g x 20팩' states 2,000 g in all, in 20 packs; '100매 x 10팩' 1,000 sheets
        dim, factor = _TEST_UNITS[pack[2]]
        return {"count": [int(pack[3])], dim: [float(pack[1]) * factor * int(pack[3])]}
    text = re.sub(rf"(\d+(?:\.\d+)?)\s*~\s*(\d+(?:\.\d+)?)\s*({_UNIT_RE})", r"\1\3 ~ \2\3", text)  # 44~53cm
    out: dict[str, list[float]] = {}
    for number, unit in _QTY.findall(text.replace("알칼리", "")):
        dim, factor = _TEST_UNITS[unit]
        out.setdefault(dim, []).append(float(number.replace(",", "")) * factor)
    if key in _TEST_UNITS:  # 'DPI: 800/1200/1600': the key names the unit of bare numbers
        dim, factor = _TEST_UNITS[key]
        bare = re.findall(r"(?<![\d.])(\d+)(?![\d.]|\s*[A-Za-z가-힣])", text)
        out.setdefault(dim, []).extend(float(n) * factor for n in bare)
    for dim, numbers in out.items():  # parts ('5cm + 15cm', '2개 1세트'), not options ('/', '~'): no single reading
        if len(numbers) > 1 and not re.search(r"[~/]", text):
            out[dim] = []
    return out


def stated(raw: str, key: str) -> dict[str, list[float]] | None:
    """What a raw value states per dimension, read for this test only: the main text's values, or for a dimension
    the main text does not state, its parentheses' ('가능(37Wh)', '7L (약 2.8kg)'). Empty lists: no single reading."""
    main = _read(re.sub(r"\([^()]*\)", " ", raw), key)
    if main is None:
        return None
    details = _read(" ".join(re.findall(r"\(([^()]*)\)", raw)), key)
    if details is None:
        return None  # a size in the parenthesis ('퀸(1500x2000mm)')
    for dim, numbers in details.items():
        if dim not in main:
            main[dim] = numbers if len(numbers) == 1 else []  # several numbers in a parenthesis: no single reading
    return main


NUMERIC = sorted(
    {
        (pid, f.key, f.dimension)
        for pid, fs in FACETS.items()
        for f in fs
        if f.kind in ("number", "range") and f.dimension
    }
)
# sizes ('1200x600x740mm') and parts ('메모리폼 5cm + 고밀도폼 15cm') have no single reading to compare with
CHECKED = [x for x in NUMERIC if (stated(DEMO[x[0]].attributes[x[1]], x[1]) or {}).get(x[2])]


def test_the_property_covers_nearly_every_numeric_facet_of_the_demo():
    assert len(NUMERIC) > 350 and len(CHECKED) >= 0.9 * len(NUMERIC)


@pytest.mark.parametrize(("pid", "key", "dimension"), CHECKED)
def test_hard_specs_hold_by_an_independent_reading(pid, key, dimension):
    """For each numeric facet and each op, at thresholds below, at and above its values: match_spec with the key as
    hint says True exactly when some value the raw string states satisfies the bound (what the product offers)."""
    numbers = stated(DEMO[pid].attributes[key], key)[dimension]
    for threshold in {v * k for v in numbers for k in (0.5, 0.99, 1, 1.01, 2)}:
        for op in ("<=", "<", ">=", ">"):
            spec = SpecConstraint(dimension, op, threshold, key_hint=key)
            expected = any(spec.holds(v) for v in numbers)
            assert match_spec(FACETS[pid], spec) is expected, (pid, key, op, threshold, numbers)


def test_without_a_hint_specs_hold_on_the_usual_key():
    """The same property for a spec that names no key, where the dimension's usual key states one value."""
    checked = 0
    for pid, key, dimension in CHECKED:
        usual = [k for k in DEMO[pid].attributes if any(w in k for w in USUAL_KEYS.get(dimension, ()))]
        if usual != [key]:
            continue
        numbers = stated(DEMO[pid].attributes[key], key)[dimension]
        for op in ("<=", ">="):
            for threshold in (min(numbers) * 0.9, max(numbers) * 1.1):
                spec = SpecConstraint(dimension, op, threshold)
                assert match_spec(FACETS[pid], spec) is any(spec.holds(v) for v in numbers), (pid, key, op, threshold)
        checked += 1
    assert checked > 100


# --- the catalog's shape ----------------------------------------------------------------------------------------
def test_catalog_shape_of_the_demo():
    shape = CatalogShape.from_products(DEMO.values(), FACETS)
    humidifiers = shape.under("가전>계절가전>가습기")[0]
    prices = [DEMO[p].price for p in in_category("가습기")]
    assert (humidifiers.products, humidifiers.price_min, humidifiers.price_max) == (3, min(prices), max(prices))
    noise = next(f for f in humidifiers.facets if f.key == "소음")
    assert (noise.dimension, noise.low, noise.high, noise.products) == ("sound", 24, 35, 3)
    method = next(f for f in humidifiers.facets if f.key == "가습방식")
    assert method.options == {"초음파": 2, "가열식": 1, "복합식": 1, "가열": 1}
    assert shape.dimensions("가전>계절가전")["sound"] == ("소음",)
    # 최대하중 is stated by more chairs and desks, but it is what they bear, not what they weigh
    assert shape.dimensions("가구")["mass"] == ("최대하중", "제품무게", "선반하중")
    assert shape.usual_key("mass", "가구") == "제품무게"
    assert shape.value_range("mass", "유아동>외출용품>유모차") == (5900, 11800)
    assert {"기모", "고춧가루", "판테놀", "초음파", "와이파이"} <= set(shape.flag_names())
    assert "소음" in shape.facet_keys("가전") and "고춧가루" not in shape.facet_keys("식품")
    wifi = next(
        f for c in shape.under("반려동물>공용용품") for f in c.facets if f.key == "와이파이" and f.kind == "flag"
    )
    assert wifi.flags == {"true": 0, "false": 1}
    json.dumps(shape.to_dict(), ensure_ascii=False)  # the app and the composer can ship it as JSON
    line = humidifiers.describe()  # one line for a prompt or the "not carried" answer's nearest categories
    assert line.startswith(f"가습기 (3개, {min(prices):,}~{max(prices):,}원): 가습방식 초음파·가열식·복합식")
    assert "소음 24dB~35dB" in line and "용량 3L~8L" in line
    assert sum(c.products for c in shape.categories) == len(DEMO) == 132
