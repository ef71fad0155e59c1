"""An Answer drawn as chat content: headline, chips, one card per recommended product, 고려할 점.

Every string that comes from the catalog or a review goes through `md()` (escaped) before st.markdown.
"""

from __future__ import annotations

import streamlit as st

from rag.generation.answer import Answer, AspectPoint, Citation, Recommendation

from .compare import render_comparison, render_picks
from .guide_panel import render_guide
from .text import md, stars, won

RATING_COLOR = "#f59e0b"


def chips(labels: list[str], color: str) -> str:
    """Inline coloured chips (Markdown badge directives) around escaped labels."""
    return " ".join(f":{color}-badge[{md(label)}]" for label in labels)


def render_answer(answer: Answer) -> None:
    st.markdown(md(answer.headline))
    if answer.understood:
        st.markdown("이해한 조건 " + chips(answer.understood, "blue"))
    if answer.notice:
        st.warning(md(answer.notice), icon=":material/info:")
    if not answer.found:  # the headline already says so; say what to change, and where
        if answer.suggestions:
            lines = ["이렇게 바꿔 보세요 (왼쪽 '검색 조건'에서 바로 고칠 수 있어요):"]
            lines += [f"- {md(s)}" for s in answer.suggestions[:3]]
        else:
            lines = ["왼쪽 '검색 조건'에서 가격·카테고리 같은 조건을 바꾸거나, 다른 말로 물어봐 주세요."]
        st.info("\n".join(lines), icon=":material/search_off:")
    if answer.comparison is not None:
        render_comparison(answer.comparison)
    for i, rec in enumerate(answer.recommendations, start=1):
        render_card(i, rec)
    if answer.picks is not None:
        render_picks(answer.picks)
    render_guide(answer)


def render_card(i: int, rec: Recommendation) -> None:
    with st.container(border=True):
        left, right = st.columns([3, 2], gap="medium")
        with left:
            st.markdown(f"##### {i}. {md(rec.name)}")
            st.markdown(f"{md(rec.brand)} · **{won(rec.price)}**")
            st.markdown(_rating_line(rec))
            st.markdown(md(rec.reason))
            if rec.reason_source == "llm":
                st.caption("이 설명은 LLM이 썼고, 인용·가격·평점 확인을 통과했어요.")
            if rec.pros:
                st.markdown("좋은 점 " + chips([p.line for p in rec.pros], "green"))
            if rec.cons:
                st.markdown("아쉬운 점 " + chips([c.line for c in rec.cons], "orange"))
        with right:
            rating_chart(rec)
        with st.expander(f"리뷰 근거 {len(rec.citations) + _aspect_quotes(rec)}개 보기", icon=":material/reviews:"):
            for c in rec.citations:
                quote(c)
            for point in [*rec.pros, *rec.cons]:
                if point.citation is not None and point.citation.review_id not in {c.review_id for c in rec.citations}:
                    quote(point.citation, point)
        if rec.related:
            st.caption("  \n".join(md(line) for line in [rec.related[0].title(), *(r.text() for r in rec.related)]))


def _aspect_quotes(rec: Recommendation) -> int:
    cited = {c.review_id for c in rec.citations}
    return sum(1 for p in [*rec.pros, *rec.cons] if p.citation is not None and p.citation.review_id not in cited)


def _rating_line(rec: Recommendation) -> str:
    if not rec.review_count or rec.rating_mean is None:
        return "아직 리뷰가 없어요"
    line = f":orange[{stars(rec.rating_mean, rec.rating_max)}] **{rec.rating_mean:.1f}**/{rec.rating_max:g}"
    line += f" · 리뷰 {rec.review_count:,}개"
    if rec.repurchase_count:
        line += f" · 재구매 언급 {rec.repurchase_count:,}건"
    return line


def quote(c: Citation, point: AspectPoint | None = None) -> None:
    """One cited review: the quote highlighted, then rating, date, option (and the aspect it backs)."""
    st.markdown(f":orange-background[“{md(c.quote)}”]")
    meta = [f"★ {c.stars()}", md(c.created_at), md(c.option), f"리뷰 {md(c.review_id)}"]
    if point is not None:
        meta.insert(0, md(point.line))
    st.caption(" · ".join(m for m in meta if m))


def rating_chart(rec: Recommendation) -> None:
    """Reviews per rating, best rating on top (the source scale: 1–5, or 1–10 for NSMC).

    A plain Vega-Lite spec with its values inline: `st.bar_chart` built an Altair chart and an Arrow table per card,
    the largest part of re-drawing a conversation on every rerun (`python -m eval.bench_streamlit`)."""
    hist = rec.rating_hist
    if not hist or not rec.review_count:
        st.caption("별점 분포: 아직 리뷰가 없어요")
        return
    try:  # whole-number scales show every score, zeros included
        scores = [str(s) for s in range(int(rec.rating_max), 0, -1)] if all(float(k).is_integer() for k in hist) else []
    except ValueError:
        scores = []
    scores = scores or sorted(hist, key=lambda k: float(k) if k.replace(".", "", 1).isdigit() else 0, reverse=True)
    labels = [f"{s}점" for s in scores]
    st.caption("별점 분포")
    st.vega_lite_chart(spec=rating_spec(labels, [int(hist.get(s, 0)) for s in scores]), height=170, width="stretch")


def rating_spec(labels: list[str], counts: list[int]) -> dict:
    """Horizontal bars, one per score label in the given order; values are numbers and labels made here."""
    return {
        "data": {"values": [{"별점": label, "리뷰 수": n} for label, n in zip(labels, counts, strict=True)]},
        "mark": {"type": "bar", "color": RATING_COLOR},
        "encoding": {
            "y": {"field": "별점", "type": "nominal", "sort": labels, "title": None},
            "x": {"field": "리뷰 수", "type": "quantitative", "title": None, "axis": {"tickMinStep": 1}},
            "tooltip": [{"field": "별점"}, {"field": "리뷰 수"}],
        },
    }
