"""A comparison drawn as a real table (st.table), its verdict as a list, and help-me-decide picks as three cards.

Every string from the catalog or a review goes through `md()` (st.table renders Markdown in its cells), so a
product name or a quote shows exactly as written and never as HTML or a link.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from rag.generation import templates as T
from rag.generation.compare import Comparison
from rag.generation.decide import ROLE_LABELS, Picks

from .text import md, won


def comparison_frame(comparison: Comparison) -> pd.DataFrame:
    """Rows are the compared dimensions, columns the products (escaped for st.table's Markdown)."""
    columns = [md(p.short) for p in comparison.products]
    data = [[md(c.text) for c in row.cells] for row in comparison.rows]
    frame = pd.DataFrame(data, columns=columns, index=[md(row.label) for row in comparison.rows])
    frame.index.name = T.COMPARE_COLUMN_ITEM
    return frame


def render_comparison(comparison: Comparison) -> None:
    with st.container(border=True):
        st.table(comparison_frame(comparison))
        st.caption(" · ".join(f"{md(p.short)}: {md(p.name)} ({md(p.brand)})" for p in comparison.products))
        if comparison.summary:
            st.markdown(md(comparison.summary))
            if comparison.summary_source == "llm":
                st.caption("이 판단은 LLM이 비교표로 썼고, 가격·평점·수치·인용 확인을 통과했어요.")
        if comparison.verdicts:
            lines = "\n".join(f"- {md(v.text)}" for v in comparison.verdicts)
            st.markdown(f"**{T.COMPARE_SECTION_VERDICT}**\n{lines}")
        quotes = comparison.citations()
        if quotes:
            from .cards import quote  # cards imports this module

            with st.expander(f"리뷰 근거 {len(quotes)}개 보기", icon=":material/reviews:"):
                names = {p.product_id: p.short for p in comparison.products}
                for c in quotes:
                    st.caption(md(names.get(c.product_id, c.product_id)))
                    quote(c)


def render_picks(picks: Picks) -> None:
    chosen = picks.all()
    st.markdown(f"**{T.PICKS_SECTION}**")
    for column, pick in zip(st.columns(len(chosen)), chosen, strict=True):
        with column, st.container(border=True):
            st.markdown(f":blue-badge[{md(ROLE_LABELS[pick.role])}]")
            st.markdown(f"**{md(pick.name)}**  \n{won(pick.price)}")
            st.caption(md(pick.why))
