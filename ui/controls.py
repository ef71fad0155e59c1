"""The understood query as editable controls: price range, category, brand, attributes, in-stock, sort.

Submitting the form stores an EditRequest; the app re-runs the last question with those Constraints.
"""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from rag.constraints import Constraints
from rag.generation.answer import Answer

from . import state
from .loader import IndexInfo

SORT_LABELS: dict[str | None, str] = {
    None: "관련도순 (기본)",
    "value": "가성비순",
    "popular": "인기순",
    "rating": "평점 높은순",
    "recent": "최신순",
    "price_asc": "낮은 가격순",
    "price_desc": "높은 가격순",
}
PRICE_STEP = 10_000


def category_label(path: str) -> str:
    """'신발>아웃도어화>등산화' → '등산화 (신발 › 아웃도어화)': the leaf first, so a narrow chip still says it."""
    *parents, leaf = path.split(">")
    return f"{leaf} ({' › '.join(parents)})" if parents else leaf


def _key(version: int, name: str) -> str:
    return f"edit{version}_{name}"


def _submit(version: int, current: Constraints) -> None:
    """Form callback: the widgets' values → an EditRequest (or a message saying what to fix)."""
    value = {name: st.session_state.get(_key(version, name)) for name in ("min", "max", "cat", "brand", "attr")}
    lo, hi = value["min"], value["max"]
    if lo is not None and hi is not None and lo > hi:
        st.session_state.edit_error = f"최소 가격({lo:,}원)이 최대 가격({hi:,}원)보다 커요. 두 값을 바꿔 주세요."
        return
    kept = set(value["attr"] or ())
    constraints = replace(
        current,
        price_min=None if lo is None else int(lo),
        price_max=None if hi is None else int(hi),
        categories=tuple(value["cat"] or ()),
        brands=tuple(value["brand"] or ()),
        attributes=tuple(a for a in current.attributes if a.label in kept),
        in_stock_only=bool(st.session_state.get(_key(version, "stock"))),
        product_ids=(),  # "두 번째 거" pointed at one product; edited conditions search again, as the form shows
    )
    st.session_state.edit = state.EditRequest(constraints, st.session_state.get(_key(version, "sort")))
    st.session_state.edit_error = None


def constraint_form(answer: Answer, info: IndexInfo, version: int) -> None:
    """Controls preset to what the guide understood from the last question."""
    c = answer.constraints or Constraints()
    sort = answer.parsed.sort if answer.parsed is not None else None
    with st.form(_key(version, "form"), border=False):
        low, high = st.columns(2)
        low.number_input("최소 가격(원)", min_value=0, value=c.price_min, step=PRICE_STEP, key=_key(version, "min"),
                         placeholder="제한 없음")  # fmt: skip
        high.number_input("최대 가격(원)", min_value=0, value=c.price_max, step=PRICE_STEP, key=_key(version, "max"),
                          placeholder="제한 없음")  # fmt: skip
        st.multiselect(
            "카테고리",
            options=info.categories,
            default=[x for x in c.categories if x in info.categories],
            format_func=category_label,
            key=_key(version, "cat"),
            placeholder="전체 카테고리",
        )
        st.multiselect(
            "브랜드",
            options=info.brands,
            default=[b for b in c.brands if b in info.brands],
            key=_key(version, "brand"),
            placeholder="모든 브랜드",
        )
        if c.attributes:
            labels = [a.label for a in c.attributes]
            st.multiselect("속성 조건 (빼려면 ×)", options=labels, default=labels, key=_key(version, "attr"))
        st.checkbox("재고 있는 상품만", value=c.in_stock_only, key=_key(version, "stock"))
        if c.exclude:
            st.caption(f"앞서 본 상품 {len(c.exclude)}개는 빼고 찾아요.")
        st.selectbox(
            "정렬",
            options=list(SORT_LABELS),
            index=list(SORT_LABELS).index(sort) if sort in SORT_LABELS else 0,
            format_func=SORT_LABELS.__getitem__,
            key=_key(version, "sort"),
        )
        st.form_submit_button(
            "이 조건으로 다시 찾기", type="primary", on_click=_submit, args=(version, c), width="stretch"
        )
    if st.session_state.edit_error:
        st.error(st.session_state.edit_error)
