"""Per-visitor conversation state in st.session_state: the history the guide reads, and requests from clicks.

`turns` is a list of rag.guide.Turn, passed to the guide as the conversation so far; `notes` runs beside it
(one line the app adds under a question, e.g. that it was shortened or re-run with edited conditions).
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from rag.constraints import Constraints
from rag.generation.answer import Answer
from rag.guide import Turn


@dataclass(frozen=True)
class EditRequest:
    """The sidebar's edited conditions: re-run the last question with them."""

    constraints: Constraints
    sort: str | None


def init() -> None:
    defaults = {
        "turns": [],  # list[Turn]
        "notes": [],  # list[str], one per turn
        "version": 0,  # bumped on every new answer: fresh widget keys, so the controls show its conditions
        "pending": None,  # a question from a clicked button (follow-up, example)
        "edit": None,  # EditRequest from the sidebar form
        "edit_error": None,
    }
    for key, value in defaults.items():
        if key not in st.session_state:
            st.session_state[key] = value


def turns() -> list[Turn]:
    return st.session_state.turns


def last_answer() -> Answer | None:
    return st.session_state.turns[-1].answer if st.session_state.turns else None


def add_turn(question: str, answer: Answer, note: str = "") -> None:
    st.session_state.turns.append(Turn(question, answer))
    st.session_state.notes.append(note)
    st.session_state.version += 1


def replace_last(answer: Answer, note: str) -> None:
    st.session_state.turns[-1] = Turn(st.session_state.turns[-1].question, answer)
    st.session_state.notes[-1] = note
    st.session_state.version += 1


def ask_later(question: str) -> None:
    """Button callback: the question is asked on the rerun the click starts."""
    st.session_state.pending = question


def take(key: str):
    value, st.session_state[key] = st.session_state[key], None
    return value


def clear() -> None:
    for key in ("turns", "notes", "pending", "edit", "edit_error"):
        del st.session_state[key]
    init()
