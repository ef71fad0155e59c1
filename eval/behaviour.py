"""Behaviour task on NSMC: does "liked by the same users" beat "liked by everyone"?

The rule (seeded; written into the report):
1. a positive review is one with rating_norm ≥ 0.75 (NSMC 1–10: a rating of 8 or more), as `CoBehaviour` reads it;
2. eligible users have ≥ `min_reviews` reviews, and positive reviews on at least two different dates;
3. `users` of them are drawn with `random.Random(seed)` from the id-sorted list;
4. each drawn user's latest positive review(s) (every positive review on the latest date with one) are hidden:
   their movies are the relevant items; the user's positive reviews from earlier dates are the seeds, and every
   movie the user reviewed on an earlier date is excluded from the recommendations;
5. the co-behaviour model is `CoBehaviour.from_records` over every review except the drawn users' reviews from
   the hidden date on (the hidden ones and anything later), so nothing the user did from then on is seen;
6. systems recommend `k` = 10 movies: co-behaviour (`related(seeds)`, ≥ 2 common users), co-behaviour with the
   remaining places filled by `popular`, `popular` alone (the most-liked movies overall), and what a shopper is
   shown (`together(seeds)`: ≥ 3 users who liked a seed and the movie, and a 95 % lift bound above 1), which
   recommends less and says nothing when the co-behaviour is not real: its no-recommendation share is the price.
NSMC authors are masked upstream (`love****`), so one id can merge several people: treat it as an
approximation of a user, and the task as a sanity check of the co-behaviour model, not a production number.
"""

from __future__ import annotations

import logging
import random
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from rag.index.build import ProgressFactory, no_progress
from rag.records import Review
from rag.related import CoBehaviour

from .metrics import ndcg_at_k, recall_at_k
from .retrieval import ScoreSettings, _interval

logger = logging.getLogger(__name__)

BEHAVIOUR_SYSTEMS: dict[str, str] = {
    "co_behaviour": "CoBehaviour.related(seeds, k=10, min_common=2): cosine on the user-item matrix of liked movies",
    "co_behaviour_fill": "co-behaviour, its empty places filled by CoBehaviour.popular",
    "popular": "CoBehaviour.popular(k=10): the most-liked movies, the same list for everyone (minus seen ones)",
    "together": "CoBehaviour.together(seeds, k=10): shown only with ≥ 3 co-likers and a 95 % lift bound above 1",
}


@dataclass(frozen=True)
class BehaviourSettings:
    users: int = 2000
    min_reviews: int = 5
    positive: float = 0.75  # rating_norm; NSMC: rating ≥ 8
    seed: int = 13
    k: int = 10


@dataclass
class BehaviourCase:
    user_id: str
    seeds: list[str]  # movies liked before the hidden date
    seen: set[str]  # movies reviewed before the hidden date
    hidden: set[str]  # movies of the hidden latest positive review(s)
    hidden_date: str


def behaviour_split(
    reviews: Sequence[Review], settings: BehaviourSettings
) -> tuple[list[Review], list[BehaviourCase], dict]:
    """(reviews the model may see, the drawn users' cases, the rule with counts)."""
    by_user: dict[str, list[Review]] = defaultdict(list)
    for r in reviews:
        if r.user_id:
            by_user[r.user_id].append(r)
    eligible = []
    for user, revs in by_user.items():
        dates = {r.created_at[:10] for r in revs if r.rating_norm >= settings.positive and r.created_at}
        if len(revs) >= settings.min_reviews and len(dates) >= 2:
            eligible.append(user)
    eligible.sort()
    rng = random.Random(settings.seed)
    drawn = eligible if settings.users >= len(eligible) else sorted(rng.sample(eligible, settings.users))
    cases, cut = [], {}
    for user in drawn:
        revs = by_user[user]
        positive = [r for r in revs if r.rating_norm >= settings.positive and r.created_at]
        last = max(r.created_at[:10] for r in positive)
        earlier = [r for r in revs if r.created_at and r.created_at[:10] < last]
        hidden = {r.product_id for r in positive if r.created_at[:10] == last}
        seen = {r.product_id for r in earlier}
        seeds = sorted({r.product_id for r in earlier if r.rating_norm >= settings.positive})
        hidden -= seen  # a movie reviewed before is no discovery
        if hidden and seeds:
            cases.append(BehaviourCase(user, seeds, seen, hidden, last))
            cut[user] = last
    train = [r for r in reviews if r.user_id not in cut or (r.created_at and r.created_at[:10] < cut[r.user_id])]
    rule = {
        **asdict(settings),
        "eligible_users": len(eligible),
        "drawn_users": len(drawn),
        "cases": len(cases),
        "hidden_items": sum(len(c.hidden) for c in cases),
        "train_reviews": len(train),
    }
    return train, cases, rule


def _recommend(model: CoBehaviour, case: BehaviourCase, k: int) -> dict[str, list[str]]:
    related = [r.product_id for r in model.related(case.seeds, k=k, exclude=case.seen)]
    popular = [r.product_id for r in model.popular(k=k + len(related), exclude=case.seen)]
    fill = related + [p for p in popular if p not in related][: k - len(related)]
    shown = [r.product_id for r in model.together(case.seeds, k=k, exclude=case.seen)]
    return {"co_behaviour": related, "co_behaviour_fill": fill, "popular": popular[:k], "together": shown}


def evaluate_behaviour(
    reviews: Sequence[Review],
    settings: BehaviourSettings,
    score: ScoreSettings,
    progress: ProgressFactory = no_progress,
) -> dict:
    start = time.perf_counter()
    train, cases, rule = behaviour_split(reviews, settings)
    model = CoBehaviour.from_records(train, positive_rating=settings.positive)
    rule["model_users"] = len(model.user_items)
    rule["model_items"] = len(model.item_users)
    per: dict[str, dict[str, list[float]]] = {
        s: {"recall@10": [], "ndcg@10": [], "empty": []} for s in BEHAVIOUR_SYSTEMS
    }
    bar = progress(len(cases), "behaviour")
    for case in cases:
        relevant = dict.fromkeys(case.hidden, 1.0)
        for system, items in _recommend(model, case, settings.k).items():
            per[system]["recall@10"].append(recall_at_k(items, relevant, 10))
            per[system]["ndcg@10"].append(ndcg_at_k(items, relevant, 10))
            per[system]["empty"].append(float(not items))
        bar.update(1)
    bar.close()
    systems = {
        s: {
            "description": BEHAVIOUR_SYSTEMS[s],
            "metrics": {m: _interval(v, score) for m, v in values.items() if m != "empty"},
            "no_recommendation": float(sum(values["empty"]) / len(values["empty"])) if values["empty"] else None,
        }
        for s, values in per.items()
    }
    rule["seconds"] = time.perf_counter() - start
    logger.info("behaviour task: %d users in %.0f s", len(cases), rule["seconds"])
    return {"rule": rule, "systems": systems}
