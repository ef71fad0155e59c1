"""Help me decide: a top pick, a budget pick and an upgrade pick among the products of a recommendation answer.

The candidates are the answer's own recommendations, so every pick satisfies the question's constraints (they are
hard filters of the search) and is a card the shopper can read. The rule, all numbers from the catalog:

- top: the first recommendation (the best match to the question).
- budget: the cheapest other product costing at most `BUDGET_RATIO` × the top pick's price whose rating is at most
  `RATING_SLACK` points (on a 5-point scale, scaled to the source's) below the top pick's; a product without reviews
  is no budget pick beside a rated top pick (nothing says it is nearly as good).
- upgrade: the other product costing at least `UPGRADE_RATIO` × the top pick's price that beats it on something the
  comparison of the two shows (`rag.generation.compare`: a facet, the rating, a review aspect), and is not rated
  more than `RATING_SLACK` below it; paying more for nothing measurable is no upgrade. Among several, the one that
  wins on most rows, then the cheaper.

Picks exist only when a budget or an upgrade pick does (the candidates differ enough in price); each carries one line
of why, made of those numbers, and the comparison rows it rests on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from . import templates as T
from .compare import Comparer, Verdict
from .evidence import Recommendation
from .templates import say

BUDGET_RATIO = 0.7
UPGRADE_RATIO = 1.3
RATING_SLACK = 0.3  # points on a 5-point scale
ROLES: tuple[str, ...] = ("top", "budget", "upgrade")
ROLE_LABELS = {"top": T.PICK_TOP, "budget": T.PICK_BUDGET, "upgrade": T.PICK_UPGRADE}


@dataclass
class Pick:
    role: str  # one of ROLES
    product_id: str
    name: str
    price: int | None
    why: str  # one line, from catalog numbers and review counts
    rests_on: list[str] = field(default_factory=list)  # comparison row keys ('price', 'facet:노이즈캔슬링') behind it


@dataclass
class Picks:
    top: Pick
    budget: Pick | None = None
    upgrade: Pick | None = None

    def all(self) -> list[Pick]:
        return [p for p in (self.top, self.budget, self.upgrade) if p is not None]

    def to_text(self) -> str:
        lines = [say("PICK_LINE", label=ROLE_LABELS[p.role], product=p.name, price=_won(p.price), why=p.why)
                 for p in self.all()]  # fmt: skip
        return T.PICKS_SECTION + "\n" + "\n".join(lines) + "\n\n"


def _won(price: int | None) -> str:
    return say("WON", price=price) if price is not None else T.NO_PRICE


def _slack(rec: Recommendation) -> float:
    return RATING_SLACK * rec.rating_max / 5


def _rated(rec: Recommendation) -> bool:
    return bool(rec.review_count) and rec.rating_mean is not None


def _not_much_worse(rec: Recommendation, top: Recommendation) -> bool:
    if not _rated(top):
        return True
    return _rated(rec) and rec.rating_mean >= top.rating_mean - _slack(top) - 1e-9


def _rating(rec: Recommendation) -> str:
    if not _rated(rec):
        return T.PICK_NO_REVIEWS
    return say("PICK_RATING", rating=rec.rating_mean, scale=rec.rating_max, count=rec.review_count)


def _top_why(top: Recommendation) -> str:
    why = say("PICK_TOP_WHY", rating=_rating(top))
    return why + (T.SEP + top.pros[0].line if top.pros else "")


def _budget_why(rec: Recommendation, top: Recommendation) -> str:
    why = say("PICK_BUDGET_WHY", top=top.name, diff=top.price - rec.price, price=rec.price, top_price=top.price)
    if _rated(rec) and _rated(top):
        why += T.SEP + say("PICK_BUDGET_RATING", rating=rec.rating_mean, top_rating=top.rating_mean)
    return why


def _upgrade_why(rec: Recommendation, top: Recommendation, wins: Sequence[Verdict]) -> str:
    said = T.SEP.join(say("PICK_UPGRADE_WIN", label=v.label, values=v.values) for v in wins[:2])
    return say("PICK_UPGRADE_WHY", diff=rec.price - top.price, wins=said)


def decide(recs: Sequence[Recommendation], comparer: Comparer | None = None) -> Picks | None:
    """The picks among `recs` (best match first), or None when no budget or upgrade pick exists."""
    if len(recs) < 2 or recs[0].price is None:
        return None
    top, others = recs[0], [r for r in recs[1:] if r.price is not None]
    budget_pool = [r for r in others if r.price <= BUDGET_RATIO * top.price and _not_much_worse(r, top)]
    budget = min(budget_pool, key=lambda r: (r.price, -(r.rating_mean or 0)), default=None)
    upgrade, upgrade_wins = None, []
    if comparer is not None:
        scored = []
        for r in others:
            if r.price < UPGRADE_RATIO * top.price or not _not_much_worse(r, top):
                continue
            verdicts = comparer.compare([top.product_id, r.product_id]).verdicts
            wins = [v for v in verdicts if v.winner == r.product_id and v.row != "price"]
            if wins:
                scored.append((-len(wins), r.price, r, wins))
        if scored:
            _, _, upgrade, upgrade_wins = min(scored, key=lambda x: (x[0], x[1]))
    if budget is None and upgrade is None:
        return None
    picks = Picks(Pick("top", top.product_id, top.name, top.price, _top_why(top), ["rating"]))
    if budget is not None:
        picks.budget = Pick(
            "budget", budget.product_id, budget.name, budget.price, _budget_why(budget, top), ["price", "rating"]
        )
    if upgrade is not None:
        why = _upgrade_why(upgrade, top, upgrade_wins)
        picks.upgrade = Pick(
            "upgrade", upgrade.product_id, upgrade.name, upgrade.price, why, [v.row for v in upgrade_wins[:2]]
        )
    return picks
