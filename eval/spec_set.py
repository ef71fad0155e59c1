"""The spec question set, generated from the demo catalog's raw attributes by the rule of
`eval/data/spec_queries/README.md` (read it first; this module implements it, nothing more).

    python -m eval.spec_set            # rewrites eval/data/spec_queries/queries.jsonl
    python -m eval.spec_set --check    # exit 1 when the committed file is not what the rule produces

The gold comes from `eval.spec_reader` (eval's own strict reader), never from the system under test. Phrasing is
drawn with one seeded `random.Random`, in a fixed order, so the file is reproducible byte for byte.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .spec_reader import UNITS, binary_keys, numeric_keys, read_polarity, read_quantity

SPEC_QUERIES = Path(__file__).parent / "data" / "spec_queries" / "queries.jsonl"
SEED = 11

# the shopper's direction per key: "min" = less is better (ask "at most", superlative = smallest)
DIRECTION: dict[str, str] = {
    **dict.fromkeys(("무게", "소음", "작동소음"), "min"),
    **dict.fromkeys(
        (
            "용량", "연속사용", "사용면적", "흡입력", "먼지통", "재생시간", "출력", "내수압", "중량", "최대하중",
            "내하중", "흡수력", "평량", "매수", "보냉", "보온", "배터리", "사용시간",
        ),
        "max",
    ),
}  # fmt: skip
SUPERLATIVE: dict[str, list[str]] = {
    "무게": ["가장 가벼운", "제일 가벼운", "젤 가벼운", "무게가 제일 적게 나가는"],
    "소음": ["가장 조용한", "제일 조용한", "소음이 제일 적은"],
    "용량": ["용량 제일 큰", "용량이 가장 큰", "용량 젤 큰"],
    "연속사용": ["가장 오래 가는", "연속사용 시간 제일 긴"],
    "재생시간": ["재생시간 제일 긴", "배터리 가장 오래 가는"],
    "사용면적": ["제일 넓은 평수까지 되는", "사용면적이 가장 넓은"],
    "흡입력": ["흡입력 제일 센", "흡입력이 가장 좋은"],
    "먼지통": ["먼지통 제일 큰", "먼지통이 가장 큰"],
    "출력": ["출력 제일 센", "출력이 가장 높은"],
    "내수압": ["내수압 제일 높은", "내수압이 가장 높은"],
    "중량": ["양이 제일 많은", "중량이 가장 많은"],
    "최대하중": ["하중을 제일 많이 버티는", "최대하중 가장 높은"],
    "내하중": ["내하중 제일 높은", "하중을 가장 많이 버티는"],
    "흡수력": ["흡수력 제일 오래 가는", "흡수 시간이 가장 긴"],
    "평량": ["제일 두꺼운", "평량이 가장 높은"],
    "매수": ["매수 제일 많은", "가장 많이 들어 있는"],
    "보냉": ["보냉 제일 오래 되는", "보냉력 가장 좋은"],
    "보온": ["보온 제일 오래 되는", "보온력 가장 좋은"],
}
# a situation that names no attribute → (key, direction) or (key, polarity)
SITUATIONS: dict[tuple[str, str | bool], list[str]] = {
    ("무게", "min"): ["들고 다니기 편한", "여행 갈 때 챙겨 갈", "오래 들고 다녀도 안 힘든"],
    ("소음", "min"): ["아기 자는 방에 둘", "밤에 자면서 켜 둘", "자취방 침대 옆에 둘"],
    ("용량", "max"): ["한 번 사면 오래 쓰는", "자주 안 사도 되는"],
    ("연속사용", "max"): ["밤새 한 번도 물 안 채우고 쓸"],
    ("사용면적", "max"): ["넓은 거실에 둘", "신혼집 거실에 둘"],
    ("흡입력", "max"): ["카펫이랑 러그까지 청소할", "털 날리는 집에서 쓸"],
    ("재생시간", "max"): ["장거리 비행 내내 쓸", "충전 자주 안 해도 되는"],
    ("출력", "max"): ["집들이 파티 때 크게 틀", "마당에서 다 같이 들을"],
    ("내수압", "max"): ["장마철 산행에 입을", "폭우 올 때도 버틸"],
    ("최대하중", "max"): ["덩치 큰 아빠가 앉을", "체격 큰 사람이 쓸"],
    ("내하중", "max"): ["덩치 큰 사람이 앉을", "체격 큰 아빠가 쓸"],
    ("흡수력", "max"): ["밤에 재울 때 채울", "밤새 안 갈아도 되는"],
    ("평량", "max"): ["한 장으로 쓱 닦이는", "도톰해서 잘 안 찢어지는"],
    ("매수", "max"): ["쟁여 두고 오래 쓸", "다견 가정에서 넉넉히 쓸"],
    ("보냉", "max"): ["여름 캠핑 내내 얼음 안 녹는", "하루 종일 시원하게 마실"],
    ("기내반입", True): ["비행기 탈 때 들고 탈", "해외여행 기내에 가져갈"],
    ("노트북충전", True): ["출장 가서 노트북까지 충전할"],
    ("노이즈캔슬링", True): ["지하철 소음 막아 줄", "시끄러운 카페에서 공부할 때 쓸"],
    ("방수등급", True): ["비 오는 날 밖에서도 쓸", "땀 많이 흘리는 운동할 때 쓸"],
    ("식기세척기", True): ["식세기에 막 돌릴"],
    ("기모", True): ["한겨울에 입을", "추운 날 따뜻하게 입을"],
    ("변기배출", True): ["화장실에 바로 버릴 수 있는"],
    ("와이파이", True): ["출근해서도 폰으로 밥 줄 수 있는"],
    ("젓갈", False): ["비건 친구가 먹을", "채식하는 사람도 먹는"],
    ("높이조절", True): ["서서 일할 때도 쓸"],
    ("향", False): ["냄새에 예민한 사람이 쓸"],
    ("발수", True): ["눈 오는 날 입을"],
    ("소변알림선", True): ["초보 엄마가 갈 때 알기 쉬운"],
    ("방수", True): ["비 오는 날 산에 갈 때 신을"],
    ("배변유도제", True): ["배변 훈련 시작하는 강아지한테 쓸"],
    ("신축성", True): ["활동량 많을 때 편하게 입을"],
}
# where the generic situation reads wrong for a category: (leaf name, key, direction or polarity) → situations
LEAF_SITUATIONS: dict[tuple[str, str, str | bool], list[str]] = {
    ("가습기", "용량", "max"): ["물 자주 안 채워도 되는", "넓은 거실에서 하루 종일 틀"],
    ("에어프라이어", "용량", "max"): ["통닭 한 마리 통째로 돌릴", "4인 가족이 쓸"],
    ("텀블러", "용량", "max"): ["하루 종일 물 떠다 마실 필요 없는"],
    ("자동급식기", "용량", "max"): ["며칠 집 비울 때 쓸"],
    ("보조배터리", "용량", "max"): ["캠핑 가서 며칠 폰 충전할"],
}
NOUNS: dict[str, list[str]] = {
    "서큘레이터": ["서큘레이터", "써큘레이터"],
    "공기청정기": ["공기청정기", "공청기"],
    "무선청소기": ["무선청소기", "무선 청소기"],
    "선크림": ["선크림", "썬크림"],
    "무선이어폰": ["무선이어폰", "무선 이어폰", "블루투스 이어폰"],
    "블루투스스피커": ["블루투스 스피커", "블루투스스피커"],
    "무선마우스": ["무선마우스", "무선 마우스"],
    "맨투맨/후드티": ["맨투맨", "후드티"],
    "청바지": ["청바지", "데님 팬츠"],
    "레인코트": ["레인코트", "우비"],
    "견과류": ["견과류", "견과"],
    "원두커피": ["원두커피", "원두", "커피 원두"],
    "사무용의자": ["사무용의자", "사무용 의자"],
    "아기물티슈": ["아기물티슈", "아기 물티슈"],
    "사료": ["강아지 사료", "강아지사료"],
    "고양이모래": ["고양이모래", "고양이 모래"],
    "배변패드": ["배변패드", "강아지 배변패드"],
    "자동급식기": ["자동급식기", "자동 급식기"],
    "러닝화": ["러닝화", "런닝화"],
    "레인부츠": ["레인부츠", "장화"],
    "캠핑의자": ["캠핑의자", "캠핑 의자"],
    "요가매트": ["요가매트", "요가 매트"],
    "등산스틱": ["등산스틱", "등산 스틱"],
    "세탁세제": ["세탁세제", "빨래 세제"],
}
TYPOS: dict[str, str] = {
    "가습기": "가숩기",
    "무선이어폰": "무선이어퐁",
    "보조배터리": "보조베터리",
    "에어프라이어": "에어프라이기",
    "기저귀": "기저기",
    "매트리스": "매트레스",
    "텀블러": "텀블라",
    "서큘레이터": "서큐레이터",
    "유모차": "유모자",
    "클렌징폼": "클렌징퐁",
    "수분크림": "수분크린",
    "프라이팬": "후라이팬",
}
ENDINGS = [
    "", " 추천", " 추천해줘", " 추천해 주세요", " 있어요?", " 있나요", " 뭐가 좋아요?", " 찾아요", " 알려줘",
    " 좀 골라줘", " 사고 싶어요", " 어떤 게 좋을까요", " 추천 부탁드려요", " ㅊㅊ",
]  # fmt: skip
# product types Korean shops sell that the demo does not: (type, optional spec phrase); typos for a few
OUT_OF_CATALOG: list[tuple[str, str | None]] = [
    ("전기밥솥", "6인용"), ("블렌더", "1000W 이상"), ("캣타워", None), ("전기포트", "1.7L"), ("커피머신", None),
    ("토스터기", None), ("식기건조대", None), ("헤어드라이어", "1800W 이상"), ("고데기", None),
    ("전동칫솔", None), ("면도기", None), ("로봇청소기", "흡입력 5000Pa 이상"), ("제습기", "하루 20L"),
    ("전기장판", None), ("키보드", "무선"), ("스마트워치", None),
    ("게임패드", None), ("백팩", None), ("우산", "장우산"), ("슬리퍼", None), ("구두", None),
    ("샌들", None), ("원피스", None), ("목도리", None), ("냄비", "20cm"), ("도마", None),
    ("식칼", None), ("섬유유연제", "2L"), ("주방세제", None), ("화장지", "30롤"), ("생수", "2L"),
    ("분유", None), ("카시트", None), ("젖병", None), ("킥보드", None), ("소파", "3인용"), ("식탁", "4인용"),
    ("커튼", None), ("베개", None), ("이불", None), ("러닝머신", None), ("덤벨", "5kg"), ("침낭", None),
    ("스크래처", None), ("하네스", None), ("립스틱", None), ("마스크팩", None), ("바디로션", None),
    ("선글라스", None), ("넥타이", None), ("지갑", None), ("귀걸이", None), ("수저세트", None), ("체중계", None),
    ("안마의자", None), ("전기그릴", None), ("믹서기", "1000W"), ("빔프로젝터", "4K"), ("공유기", None),
    ("수영복", None),
]  # fmt: skip
OOC_TYPOS = {"전기밥솥": "전기밥솟", "블렌더": "블랜더", "헤어드라이어": "헤어드라이기"}
PRICES = ["3만원", "5만원", "10만원", "20만원", "15만원"]
PRICE_WORDS = ["이하", "정도까지", "안쪽", "미만"]


def _final_consonant(word: str) -> bool:
    ch = word.rstrip()[-1:]
    return bool(ch) and "가" <= ch <= "힣" and (ord(ch) - 0xAC00) % 28 != 0


def subject(word: str) -> str:
    """`word` + 이/가 by its last syllable (a non-Hangul ending reads as 가)."""
    return word + ("이" if _final_consonant(word) else "가")


def ro(word: str) -> str:
    """`word` + 로/으로 (으로 after a final consonant other than ㄹ)."""
    ch = word.rstrip()[-1:]
    final = (ord(ch) - 0xAC00) % 28 if ch and "가" <= ch <= "힣" else 0
    return word + ("으로" if final not in (0, 8) else "로")


def nice_between(low: float, high: float) -> float:
    """The roundest number strictly between low and high (the one nearest the middle among the roundest)."""
    if not low < high:
        raise ValueError(f"no number strictly between {low} and {high}")
    step = 10.0 ** math.ceil(math.log10(high - low))
    while step > 1e-6:
        for mult in (1.0, 0.5, 0.2):
            s = step * mult
            first = math.floor(low / s) + 1
            candidates = [k * s for k in range(first, first + 100) if low < k * s < high]
            if candidates:
                middle = (low + high) / 2
                return round(min(candidates, key=lambda v: (abs(v - middle), v)), 6)
        step /= 10
    raise ValueError(f"no round number between {low} and {high}")


def number_text(value: float, rng: random.Random) -> str:
    """1.5 → '1.5', 20000 → '20000' | '20,000' | '2만'."""
    if value != int(value):
        return f"{value:g}"
    v = int(value)
    if v >= 10000 and v % 1000 == 0:
        style = rng.choice(["plain", "comma", "man"])
        if style == "comma":
            return f"{v:,}"
        if style == "man":
            man, cheon = divmod(v, 10000)
            return f"{man}만" + (f"{cheon // 1000}천" if cheon else "")
    return str(v)


@dataclass
class Leaf:
    path: str
    products: list[dict]

    @property
    def name(self) -> str:
        return self.path.split(">")[-1]

    @property
    def in_stock(self) -> list[dict]:
        return [p for p in self.products if p.get("in_stock") is not False]

    @property
    def code(self) -> str:
        return self.products[0]["product_id"]


def load_catalog(folder: Path | None = None) -> list[dict]:
    from ingest.demo import DEMO_DATA

    folder = Path(folder or DEMO_DATA)
    rows = []
    for path in sorted(folder.glob("*.products.jsonl")):
        rows += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return rows


def leaves(products: list[dict]) -> list[Leaf]:
    by_path: dict[str, list[dict]] = {}
    for p in products:
        by_path.setdefault(p["category"], []).append(p)
    return [Leaf(path, ps) for path, ps in by_path.items()]


def split_key(query_id: str) -> str:
    return hashlib.sha256(f"spec-split:{query_id}".encode()).hexdigest()


def assign_splits(rows: list[dict]) -> None:
    """Within each kind, in the order of sha256("spec-split:" + id): dev, test, dev, test … (about 50/50 per kind)."""
    for kind in dict.fromkeys(r["kind"] for r in rows):
        ordered = sorted((r for r in rows if r["kind"] == kind), key=lambda r: split_key(r["query_id"]))
        for i, row in enumerate(ordered):
            row["split"] = "dev" if i % 2 == 0 else "test"


class _Writer:
    """The seeded phrasing choices, in one fixed order."""

    def __init__(self, seed: int = SEED) -> None:
        self.rng = random.Random(seed)

    def noun(self, leaf: Leaf) -> str:
        form = self.rng.choice(NOUNS.get(leaf.name, [leaf.name]))
        if form in TYPOS and self.rng.random() < 0.1:
            return TYPOS[form]
        return form

    def end(self) -> str:
        return self.rng.choice(ENDINGS)

    def pick(self, options: list[str]) -> str:
        return self.rng.choice(options)


def _quantities(leaf: Leaf, key: str, products: list[dict]):
    return [(p, read_quantity(p["attributes"][key])) for p in products]


def _extremes(pairs, direction: str) -> list[str]:
    best = (min if direction == "min" else max)(q.canonical for _, q in pairs)
    return [p["product_id"] for p, q in pairs if q.canonical == best]


def _usable_numeric(leaf: Leaf) -> list[str]:
    keys = numeric_keys([p["attributes"] for p in leaf.products])
    return [k for k in keys if len({q.canonical for _, q in _quantities(leaf, k, leaf.in_stock)}) >= 2]


def _usable_binary(leaf: Leaf) -> list[str]:
    keys = binary_keys([p["attributes"] for p in leaf.products])
    out = []
    for key in keys:
        signs = {read_polarity(key, p["attributes"].get(key), True) for p in leaf.in_stock}
        if True in signs and False in signs:
            out.append(key)
    return out


def _polarity_of(leaf: Leaf, key: str, products: list[dict]) -> dict[str, bool | None]:
    return {p["product_id"]: read_polarity(key, p["attributes"].get(key), True) for p in products}


def _row(qid: str, kind: str, text: str, leaf: Leaf | None, relevant: dict[str, int], note: str, **gold) -> dict:
    base = {"specs": [], "polarity": [], "superlative": None, "sold_out": [], "not_carried": None, "no_products": False}
    base.update(gold)
    return {
        "query_id": qid,
        "query": " ".join(text.split()),
        "kind": kind,
        "split": None,  # assign_splits, once every question exists
        "category": leaf.path if leaf else None,
        "relevant": relevant,
        "gold": base,
        "note": note,
    }


def _threshold(w: _Writer, leaf: Leaf, key: str, i: int, same_dimension: bool) -> dict:
    direction = DIRECTION.get(key, "min")
    pairs = sorted(_quantities(leaf, key, leaf.in_stock), key=lambda pq: pq[1].canonical)
    values = sorted({q.canonical for _, q in pairs})
    low, high = (values[0], values[1]) if direction == "min" else (values[-2], values[-1])
    # the display unit: the one the product nearest the bound writes (the one just outside it)
    outside = high if direction == "min" else low
    unit = next(q.unit for _, q in pairs if q.canonical == outside)
    factor = UNITS[unit][1]
    bound = nice_between(low / factor, high / factor)
    op = w.pick(["<=", "<=", "<"]) if direction == "min" else w.pick([">=", ">=", ">"])
    word = {"<=": "이하", "<": "미만", ">=": "이상", ">": w.pick(["넘는", "초과"])}[op]
    attributive = word if word == "넘는" else word + "인"
    key_parts = [f"{key} ", subject(key) + " "] + ([] if same_dimension else [""])  # no key: the unit says it
    key_part = w.pick(key_parts)
    spacing = w.pick([" ", " ", ""])
    value = f"{number_text(bound, w.rng)}{unit}"
    base, attr = f"{key_part}{value}{spacing}{word}", f"{key_part}{value}{spacing}{attributive}"
    noun = w.noun(leaf)
    text = w.pick(
        [
            f"{base} {noun}{w.end()}",
            f"{attr} {noun}{w.end()}",
            f"{noun} {attr} 거{w.end()}",
            f"{noun} 중에 {attr} 거{w.end()}",
            f"{base} {noun} 뭐 있어요",
        ]
    )
    canonical = bound * factor
    ok = {
        "<=": lambda v: v <= canonical,
        "<": lambda v: v < canonical,
        ">=": lambda v: v >= canonical,
        ">": lambda v: v > canonical,
    }[op]
    relevant = {p["product_id"]: 2 for p, q in pairs if ok(q.canonical)}
    spec = {"key": key, "op": op, "value": canonical, "dim": UNITS[unit][0], "unit": unit, "label": base.strip()}
    read = ", ".join(f"{p['product_id']} {q.value:g}{q.unit}" for p, q in pairs)
    note = f"{key} {op} {bound:g}{unit}; in stock: {read}"
    return _row(f"threshold-{leaf.code}-{i}", "threshold", text, leaf, relevant, note, specs=[spec])


def _superlative(w: _Writer, leaf: Leaf, key: str, i: int, kind: str = "superlative", phrase: str = "") -> dict:
    direction = DIRECTION[key]
    pairs = _quantities(leaf, key, leaf.in_stock)
    best = _extremes(pairs, direction)
    sup = phrase or w.pick(SUPERLATIVE.get(key, [f"{key} 제일 {'작은' if direction == 'min' else '큰'}"]))
    noun = w.noun(leaf)
    if kind == "use_case":
        text = w.pick([f"{sup} {noun}{w.end()}", f"{sup} {noun} 뭐가 좋을까요?", f"{noun} {sup} 거{w.end()}"])
    else:
        text = w.pick(
            [
                f"{sup} {noun}{w.end()}",
                f"{noun} 중에 {sup} 거{w.end()}",
                f"{noun} {sup} 걸로{w.end()}",
                f"{sup} {subject(noun)} 뭐예요?",
            ]
        )
    relevant = {p["product_id"]: (2 if p["product_id"] in best else 1) for p, _ in pairs}
    read = ", ".join(f"{p['product_id']} {q.value:g}{q.unit}" for p, q in pairs)
    return _row(
        f"{kind}-{leaf.code}-{i}", kind, text, leaf, relevant, f"{direction} {key}: {best}; in stock: {read}",
        superlative={"key": key, "direction": direction},
    )  # fmt: skip


def _polarity_words(leaf: Leaf, key: str, wanted: bool) -> list[str]:
    values = [str(p["attributes"].get(key, "")) for p in leaf.products]
    if key == "향" and not wanted:
        return ["무향", "향 없는", "향 안 나는"]
    if key == "젓갈" and not wanted:
        return ["젓갈 없는", "젓갈 안 들어간"]
    if any(v.startswith(("가능", "불가", "사용 가능", "사용 불가")) for v in values):
        return [f"{key} 되는", f"{key} 가능한"] if wanted else [f"{key} 안 되는", f"{key} 불가능한"]
    if any(v.startswith(("지원", "미지원")) for v in values):
        return [f"{key} 지원되는"] if wanted else [f"{key} 지원 안 되는"]
    if any(v.startswith("호환") for v in values):
        return [f"{key} 호환되는"] if wanted else [f"{key} 호환 안 되는"]
    return [f"{key} 있는"] if wanted else [f"{key} 없는"]


def _polarity(w: _Writer, leaf: Leaf, key: str, wanted: bool, i: int, kind: str = "polarity", phrase="") -> dict:
    signs = _polarity_of(leaf, key, leaf.in_stock)
    pol = phrase or w.pick(_polarity_words(leaf, key, wanted))
    noun = w.noun(leaf)
    if kind == "use_case":
        text = w.pick([f"{pol} {noun}{w.end()}", f"{pol} {noun} 뭐가 좋을까요?", f"{noun} {pol} 거{w.end()}"])
    else:
        text = w.pick([f"{pol} {noun}{w.end()}", f"{noun} 중에 {pol} 거{w.end()}", f"{noun} {pol} 걸로{w.end()}"])
    relevant = {pid: 2 for pid, s in signs.items() if s is wanted}
    read = ", ".join(f"{p['product_id']} {p['attributes'].get(key, '—')}" for p in leaf.in_stock)
    return _row(
        f"{kind}-{leaf.code}-{i}", kind, text, leaf, relevant, f"{key} wanted={wanted}; in stock: {read}",
        polarity=[{"key": key, "wanted": wanted}],
    )  # fmt: skip


def _fewer(leaf: Leaf, key: str) -> bool:
    signs = list(_polarity_of(leaf, key, leaf.in_stock).values())
    return signs.count(True) < signs.count(False)  # a tie asks the negative


def _situations(leaf: Leaf, key: str, side: str | bool | None) -> list[str]:
    return LEAF_SITUATIONS.get((leaf.name, key, side)) or SITUATIONS.get((key, side), [])


def _leaf_questions(w: _Writer, leaf: Leaf) -> Iterator[dict]:
    numeric = _usable_numeric(leaf)
    dims = [read_quantity(leaf.products[0]["attributes"][k]).dimension for k in numeric]
    for i, key in enumerate(numeric[:2]):
        yield _threshold(w, leaf, key, i, dims.count(dims[i]) > 1)
    for i, key in enumerate([k for k in numeric if k in DIRECTION][:2]):
        yield _superlative(w, leaf, key, i)
    binary = _usable_binary(leaf)
    if binary:  # both polarities of the first binary key, the rarer one of the second
        yield _polarity(w, leaf, binary[0], False, 0)
        yield _polarity(w, leaf, binary[0], True, 1)
    if len(binary) > 1:
        yield _polarity(w, leaf, binary[1], _fewer(leaf, binary[1]), 2)
    # one use case for the first numeric key with a situation, one for the first binary key with one
    for key in numeric:
        situations = _situations(leaf, key, DIRECTION.get(key))
        if situations:
            yield _superlative(w, leaf, key, 0, "use_case", w.pick(situations))
            break
    for key in binary:
        wanted = next((s for s in (True, False) if _situations(leaf, key, s)), None)
        if wanted is not None:
            yield _polarity(w, leaf, key, wanted, 1, "use_case", w.pick(_situations(leaf, key, wanted)))
            break
    yield from _sold_out(w, leaf)


def _sold_out(w: _Writer, leaf: Leaf) -> Iterator[dict]:
    for sold in (p for p in leaf.products if p.get("in_stock") is False):
        alternatives = {p["product_id"]: 1 for p in leaf.in_stock}
        pid, noun = sold["product_id"], None
        for key in _usable_numeric(leaf):
            direction = DIRECTION.get(key)
            if direction and _extremes(_quantities(leaf, key, leaf.products), direction) == [pid]:
                sup = w.pick(SUPERLATIVE.get(key, [f"{key} 제일 {'작은' if direction == 'min' else '큰'}"]))
                noun = w.noun(leaf)
                text = w.pick([f"{sup} {noun}{w.end()}", f"{noun} 중에 {sup} 거{w.end()}"])
                yield _row(
                    f"sold_out-{pid}-0", "sold_out", text, leaf, alternatives,
                    f"{pid} (sold out) is the {direction} {key} of the category", sold_out=[pid],
                )  # fmt: skip
                break
        others = " ".join(p["name"] for p in leaf.products if p is not sold)
        words = [t for t in sold["name"].split() if t != sold["brand"] and not any(c.isdigit() for c in t)]
        word = next((t for t in words if t not in others.split() and t not in leaf.name), None)
        if word:
            noun = w.noun(leaf)
            text = w.pick([f"{word} {noun}{w.end()}", f"{word} {noun} 있어요?", f"{noun} {ro(word)} 된 거{w.end()}"])
            yield _row(
                f"sold_out-{pid}-1", "sold_out", text, leaf, alternatives,
                f"only {pid} (sold out) has '{word}' in its name", sold_out=[pid],
            )  # fmt: skip


def catalog_text(products: list[dict]) -> str:
    """Every category path, name, attribute and description of the catalog: an out-of-catalog type is in none."""
    parts = []
    for p in products:
        parts += [p["category"], p["name"], p.get("description", "")]
        parts += [f"{k} {v}" for k, v in p.get("attributes", {}).items()]
    return " ".join(parts).lower()


def _out_of_catalog(w: _Writer, products: list[dict]) -> Iterator[dict]:
    text = catalog_text(products)
    for i, (kind, spec) in enumerate(OUT_OF_CATALOG):
        if kind.lower() in text:
            raise ValueError(f"out-of-catalog type {kind!r} occurs in the demo catalog: drop it from the list")
        shown = OOC_TYPOS[kind] if kind in OOC_TYPOS and w.rng.random() < 0.5 else kind
        price = w.pick(PRICES)
        options = [
            f"{shown}{w.end()}",
            f"{shown} 파나요?",
            f"가성비 좋은 {shown}{w.end()}",
            f"{price} {w.pick(PRICE_WORDS)} {shown}{w.end()}",
            f"{shown} {price} 이하로 살 만한 거",
            f"선물용 {shown}{w.end()}",
            f"{shown} 처음 사 보는데 뭐가 좋아요",
            f"{shown} 사려는데 뭐가 좋을까요",
        ]
        if spec:
            options += [f"{spec} {shown}{w.end()}", f"{spec} {shown}{w.end()}"]
        yield _row(
            f"ooc-{i:02d}", "out_of_catalog", w.pick(options), None, {}, f"the demo carries no {kind}",
            not_carried=kind, no_products=True,
        )  # fmt: skip


def generate(products: list[dict] | None = None, seed: int = SEED) -> list[dict]:
    """Every question of the set, in a fixed order (leaf categories in catalog order, then out-of-catalog)."""
    products = products if products is not None else load_catalog()
    w = _Writer(seed)
    rows = [row for leaf in leaves(products) for row in _leaf_questions(w, leaf)]
    rows += list(_out_of_catalog(w, products))
    ids = [r["query_id"] for r in rows]
    if len(ids) != len(set(ids)):
        raise ValueError("duplicate query ids in the generated set")
    assign_splits(rows)
    return rows


def to_jsonl(rows: list[dict]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.spec_set", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=SPEC_QUERIES)
    parser.add_argument("--check", action="store_true", help="exit 1 when --out differs from what the rule produces")
    args = parser.parse_args(argv)
    text = to_jsonl(generate())
    if args.check:
        same = args.out.is_file() and args.out.read_text(encoding="utf-8") == text
        print(f"{args.out}: {'up to date' if same else 'differs from the rule; run python -m eval.spec_set'}")
        return 0 if same else 1
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {len(text.splitlines())} questions to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
