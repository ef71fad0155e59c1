"""Prompt templates are data: text files here, filled in one pass so a value can never inject a placeholder."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage

FOLDER = Path(__file__).parent
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class PromptTemplate:
    system: str
    user: str

    @classmethod
    def load(cls, name: str = "answer", folder: Path = FOLDER) -> PromptTemplate:
        return cls(
            (folder / f"{name}_system.txt").read_text(encoding="utf-8"),
            (folder / f"{name}_user.txt").read_text(encoding="utf-8"),
        )

    def messages(self, **values: str) -> list[BaseMessage]:
        missing = set(_PLACEHOLDER.findall(self.user)) - set(values)
        if missing:
            raise ValueError(f"prompt needs values for {sorted(missing)}")
        user = _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), self.user)
        return [SystemMessage(self.system), HumanMessage(user)]
