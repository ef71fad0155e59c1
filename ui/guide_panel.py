"""The buying guide (고려할 점) as a compact section, and a clarifying question with its choice chips as buttons.

Both are drawn from the Answer's structured fields (`answer.guide`, `answer.clarify`). Every catalog or review string
goes through `md()` (escaped) before st.markdown; review quotes are never HTML.
"""

from __future__ import annotations

import streamlit as st

from rag.generation.answer import Answer
from rag.generation.buying_guide import GuideDimension
from rag.generation.guide_text import dimension_lines, option_text, unsaid_text
from rag.generation.templates import say

from . import state
from .text import md

CHIP_ICON = ":material/touch_app:"


def render_guide(answer: Answer) -> None:
    """고려할 점: one line per dimension (its options with prices as chips), what reviewers of each option say, the
    quotes folded, and what the shopper could still tell. Falls back to the plain lines for an answer without a
    structured guide (an agent's answer, an older pickled one)."""
    guide = answer.guide
    if guide is None or not guide.dimensions:
        if answer.considerations:
            st.markdown("**고려할 점**\n" + "\n".join(f"- {md(c)}" for c in answer.considerations))
        return
    with st.container(border=True):
        title = say("GUIDE_TITLE", leaf=guide.leaf, count=guide.products)
        st.markdown(f"**{md(say('SECTION_CONSIDERATIONS'))}** · {md(title)}")
        for d, _, reviews in dimension_lines(guide):
            _dimension(d, reviews)
        quotes, cited = [], set()
        for d in guide.dimensions[:3]:  # each quote once, under the first option it speaks for
            for o in d.options:
                if o.said and o.said.citation and o.said.citation.review_id not in cited:
                    cited.add(o.said.citation.review_id)
                    quotes.append((d, o))
        if quotes:
            # a popover, not an expander: the cards' expanders are the evidence of the recommendations
            with st.popover(f"옵션별 후기 {len(quotes)}개 보기", icon=":material/reviews:"):
                for d, o in quotes:
                    c = o.said.citation
                    st.markdown(f":orange-background[“{md(c.quote)}”]")
                    meta = [md(d.key), md(o.label), md(o.said.aspect), f"★ {c.stars()}", f"리뷰 {md(c.review_id)}"]
                    st.caption(" · ".join(meta))
        if guide.unsaid:
            st.caption(md(unsaid_text(guide)))


def _dimension(d: GuideDimension, reviews: str) -> None:
    chips = " ".join(f":gray-badge[{md(option_text(o))}]" for o in d.options)
    st.markdown(f"{md(d.key)} {chips}")
    if reviews:
        st.caption(md(reviews))


def render_clarify(answer: Answer, version: int | None) -> None:
    """The question back and its chips. On the latest answer (`version` given) the chips are buttons: a click asks the
    chip's question as the next turn, like the follow-ups; on earlier answers they are shown as text."""
    clarify = answer.clarify
    if clarify is None or not clarify.chips:
        return
    if not clarify.blocking:  # an answer that only asks has the question as its headline already
        st.markdown(f"**{md(clarify.question)}**")
    if version is None:
        st.caption("고르기: " + " · ".join(md(c.label) for c in clarify.chips))
        return
    with st.container(horizontal=True, key=f"clarify-{version}"):  # a marker the browser test finds
        for i, chip in enumerate(clarify.chips):
            st.button(
                chip.label,
                key=f"chip{version}_{i}",
                on_click=state.ask_later,
                args=(chip.question,),
                icon=CHIP_ICON,
                help=chip.question,
            )
