"""Bought together: shown only when the co-behaviour is real, with the counts behind it."""

from __future__ import annotations

import pytest

from ingest.demo import DEMO_DATA
from ingest.demo.make_events import COMPLEMENTS, complement_leaves, leaf
from ingest.readers import discover
from ingest.validate import validate
from rag.generation.answer import BoughtTogether
from rag.records import Event, Review
from rag.related import CoBehaviour, purchase_baskets, wilson_low


def _buy(user: str, pid: str, day: str) -> Event:
    return Event(user, pid, "purchase", f"{day}T10:00:00")


def _shop() -> list[Event]:
    """200 shoppers, each with a best-seller D. A has 10 buyers: 4 took B along in the same trip, 2 took C, 3 took
    F (which 40 shoppers buy anyway) and 3 took D."""
    events = []
    for i in range(200):
        user = f"u{i:03d}"
        events.append(_buy(user, "D", "2026-02-01"))
        if i < 10:
            events.append(_buy(user, "A", "2026-01-10"))
            along = "B" if i < 4 else "C" if i < 6 else "F" if i < 9 else None
            if along:
                events.append(_buy(user, along, "2026-01-11"))  # the next day: the same trip
            if i < 3:
                events.append(_buy(user, "D", "2026-01-10"))
        else:
            events.append(_buy(user, "B" if i < 13 else "F" if i < 50 else "E", "2026-03-01"))
    return events


def test_a_pair_above_support_and_lift_is_shown_with_its_counts_and_one_below_is_not():
    co = CoBehaviour.from_records([], _shop())
    assert co.basis == "purchase" and co.shoppers == 200
    [pair] = co.together("A", k=5)
    # B: 4 of A's 10 buyers, while 7 of all 200 shoppers have B: lift (4/10)/(7/200) = 11.4
    assert (pair.product_id, pair.common_users, pair.buyers, pair.other_buyers) == ("B", 4, 10, 7)
    assert pair.lift == pytest.approx(0.4 / (7 / 200)) and pair.lift_low > 1
    below = {r.product_id: r for r in co.related("A", k=5)}
    # C has the lift (2 of 10, 2 shoppers in all) but only 2 co-buyers; D has 3 but every shopper buys it
    assert below["C"].common_users == 2 and below["C"].lift > 1
    assert below["D"].common_users == 3 and below["D"].lift < 1
    assert [r.product_id for r in co.together("A", min_support=2, k=5)] == ["B", "C"]  # support kept C out


def test_the_lift_bound_keeps_out_a_pair_whose_share_could_be_chance():
    co = CoBehaviour.from_records([], _shop())
    # F: 3 of A's 10 buyers against 40 of 200 shoppers, lift 1.5; but 3 of 10 could be a 20 % share by chance
    f = {r.product_id: r for r in co.related("A", k=5)}["F"]
    assert f.lift == pytest.approx(1.5) and f.lift_low < 1
    assert [r.product_id for r in co.together("A", z=0, k=5)] == ["B", "F"]  # z = 0: the bound is the lift itself
    assert [r.product_id for r in co.together("A", k=5)] == ["B"]
    assert wilson_low(3, 10) < 0.3 == pytest.approx(wilson_low(3, 10, z=0))


def test_purchases_weeks_apart_are_not_bought_together():
    events = [_buy(f"u{i}", "A", "2026-01-01") for i in range(6)] + [
        _buy(f"u{i}", "B", "2026-01-03" if i < 3 else "2026-02-20") for i in range(6)
    ]
    events += [_buy(f"x{i}", "Z", "2026-01-01") for i in range(30)]
    co = CoBehaviour.from_records([], events)
    [pair] = co.together("A")
    assert pair.common_users == 3  # u3–u5 bought B seven weeks later: another trip
    assert sorted(len(b) for _, b in purchase_baskets(events)) == [1] * 36 + [2] * 3


def test_the_sentence_carries_the_real_counts_and_the_right_particle():
    co = CoBehaviour.from_records([], _shop())
    [pair] = co.together("A")
    names = {"B": "캠프로그 원터치 팝업텐트"}
    shown = BoughtTogether(pair.product_id, names["B"], pair.common_users, pair.buyers, pair.lift, co.basis)
    assert shown.text() == "이 상품을 산 10명 중 4명이 캠프로그 원터치 팝업텐트를 함께 샀어요"
    assert BoughtTogether("X", "릴렉스 캠핑의자", 9, 37, 2.0).text() == (
        "이 상품을 산 37명 중 9명이 릴렉스 캠핑의자를 함께 샀어요"
    )
    assert BoughtTogether("X", "클린에어 공기청정기", 1234, 5678, 2.0).text() == (
        "이 상품을 산 5,678명 중 1,234명이 클린에어 공기청정기를 함께 샀어요"
    )
    assert BoughtTogether("X", "영화 7", 4, 20, 2.0, "rating").text() == (
        "이 상품을 좋게 평가한 20명 중 4명이 영화 7을 함께 좋게 평가했어요"
    )


def _review(i: int, user: str, pid: str, rating: float) -> Review:
    return Review(f"R{i}", pid, rating, "좋아요", "2015-01-01", user_id=user, rating_min=1.0, rating_max=10.0)


def test_without_purchase_events_ratings_make_liked_together():
    reviews = [_review(i, f"u{i}", "M1", 10) for i in range(8)]
    reviews += [_review(100 + i, f"u{i}", "M2", 9) for i in range(4)]  # 4 of M1's 8 fans liked M2
    reviews += [_review(200 + i, f"u{i}", "M3", 2) for i in range(8)]  # disliked: not a like
    reviews += [_review(300 + i, f"v{i}", "M4", 9) for i in range(30)]
    co = CoBehaviour.from_records(reviews, events=[Event("u0", "M1", "view", "2015-01-01")])
    assert co.basis == "rating"
    [pair] = co.together("M1")
    assert (pair.product_id, pair.common_users, pair.buyers) == ("M2", 4, 8)


def test_the_shuffled_null_keeps_basket_sizes_and_purchase_counts():
    co = CoBehaviour.from_records([], _shop())
    null = co.shuffled(7)
    assert sorted(len(b) for _, b in null.baskets) <= sorted(len(b) for _, b in co.baskets)
    total = sum(len(b) for _, b in co.baskets)
    assert total - 5 <= sum(len(b) for _, b in null.baskets) <= total  # a repeat in one basket counts once
    assert null.baskets != co.baskets and co.shuffled(7).baskets == null.baskets


def test_bad_thresholds_are_named():
    with pytest.raises(ValueError, match="min_support must be ≥ 1, got 0"):
        CoBehaviour([], min_support=0)
    with pytest.raises(ValueError, match="basis must be"):
        CoBehaviour([], basis="views")
    with pytest.raises(ValueError, match="k must be ≥ 1"):
        CoBehaviour.from_records([], _shop()).together("A", k=0)


# ---- the demo catalog ----


@pytest.fixture(scope="module")
def demo():
    data = validate(discover(str(DEMO_DATA)))
    return data, CoBehaviour.from_records(data.reviews, data.events)


def test_demo_bought_together_follows_the_documented_complements(demo):
    data, co = demo
    leaves = {pid: leaf(p.category) for pid, p in data.products.items()}
    table = complement_leaves(set(leaves.values()))
    shown = {pid: co.together(pid) for pid in data.products}
    # every pair a shopper is shown joins two leaves that COMPLEMENTS lists; no rain boots under a humidifier
    for pid, pairs in shown.items():
        for r in pairs:
            assert leaves[r.product_id] in table[leaves[pid]], (pid, leaves[pid], r.product_id, leaves[r.product_id])
            assert r.common_users >= 3 and r.lift_low > 1
    humidifiers = [pid for pid in data.products if leaves[pid] == "가습기"]
    assert any(shown[pid] for pid in humidifiers)
    # and the pairs are there: the best-selling product of most leaves with a complement shows one
    best: dict[str, str] = {}
    for pid, p in sorted(data.products.items()):
        if leaves[pid] in table and (p.purchases or 0) > (data.products[best.get(leaves[pid], pid)].purchases or 0):
            best[leaves[pid]] = pid
        best.setdefault(leaves[pid], pid)
    assert sum(bool(shown[best[lf]]) for lf in table) >= 0.8 * len(table)


def test_the_reviewers_cross_category_purchases_are_there_and_not_shown(demo):
    """Bought months apart by the same reviewers (a humidifier in winter, rain boots in summer): counted as one
    basket, as the old co-behaviour did, such pairs pass the support rule; within a trip they do not."""
    data, _ = demo
    leaves = {pid: leaf(p.category) for pid, p in data.products.items()}
    table = complement_leaves(set(leaves.values()))
    forever = CoBehaviour.from_records(data.reviews, data.events, window_days=100_000)
    unplanted = [
        (pid, r.product_id)
        for pid in data.products
        for r in forever.together(pid, k=10, z=0)
        if leaves[r.product_id] not in table.get(leaves[pid], [])
    ]
    assert len(unplanted) >= 5


def test_the_complement_table_names_only_leaves_of_the_catalog():
    leaves = {leaf(p.category) for p in validate(discover(str(DEMO_DATA))).products.values()}
    assert {x for pair in COMPLEMENTS for x in pair} <= leaves
    with pytest.raises(ValueError, match=r"the catalog does not have: .*캠핑의자"):
        complement_leaves({"텐트"})


def test_a_card_shows_the_sentence_under_its_title():
    from streamlit.testing.v1 import AppTest

    def page():
        from rag.generation.answer import BoughtTogether, Recommendation
        from ui.cards import render_card

        related = [BoughtTogether("SPO-004", "릴렉스 캠핑의자 *특가*", 15, 30, 14.5)]
        rec = Recommendation("SPO-001", "팝업텐트", "캠프로그", "스포츠", 89000, 4.5, 5, 3, "이유", related=related)
        render_card(1, rec)

    at = AppTest.from_function(page, default_timeout=60).run()
    assert not at.exception
    captions = [c.value for c in at.caption]
    sentence = "이 상품을 산 30명 중 15명이 릴렉스 캠핑의자 \\*특가\\*를 함께 샀어요"  # escaped, never Markdown
    assert "함께 구매한 상품  \n" + sentence in captions, captions
