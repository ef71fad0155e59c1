"""A learned clause-polarity reader: multinomial logistic regression over the rules' own reading and the clause's kiwi
morphemes, trained on hand-labelled review clauses (eval/experiments/polarity_model.py builds polarity_model.tsv).

The rules of rag.generation.polarity read what they were written for and little beyond it (their accuracy on text
they were not tuned on is well below their accuracy on the text they were); the model weighs the rules' verdict with
the words and endings around it, learned from labelled clauses, and decides where the rules are least sure. Its
features: the rules' verdict and whether they found a cue, the star-rating lexicon's sum (bucketed), every morpheme
(form/tag), every pair of adjacent morphemes, and the clause's last two morphemes. Weights only, no review text.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import cache
from itertools import pairwise
from pathlib import Path

import numpy as np

from .datafiles import data_lines
from .morphemes import tag_major

MODEL_PATH = Path(__file__).with_name("polarity_model.tsv")
CLASSES = (1, -1, 0)
_LEX_BUCKETS = (-4.0, -2.0, -0.5, 0.5, 2.0, 4.0)


def features(tokens: Sequence, rule: int, cued: bool, lexicon_sum: float) -> list[str]:
    """The clause's feature names (each present once)."""
    out = [f"rule={rule}", f"cued={int(cued)}", f"rule={rule}|cued={int(cued)}"]
    out.append(f"lex={sum(lexicon_sum > b for b in _LEX_BUCKETS)}")
    forms = [f"{t.form.lower()}/{tag_major(t.tag)}" for t in tokens]
    out += [f"u={f}" for f in forms]
    out += [f"b={a}_{b}" for a, b in pairwise(forms)]
    content = [f for f, t in zip(forms, tokens, strict=True) if not t.tag.startswith("S")]
    out += [f"end{n}={f}" for n, f in enumerate(reversed(content[-2:]))]
    return list(dict.fromkeys(out))


Weights = tuple[float, float, float]  # one per class, in CLASSES order


class PolarityModel:
    """Weights per class (CLASSES order) for each feature, and a bias; the probabilities of one clause's features.
    Plain floats: a clause has ~50 features, and numpy's per-call cost outweighs three additions."""

    def __init__(self, weights: dict[str, Weights], bias: Weights) -> None:
        self.weights, self.bias = weights, bias

    def probabilities(self, names: Sequence[str]) -> Weights:
        a, b, c = self.bias
        weights = self.weights
        for name in names:
            w = weights.get(name)
            if w is not None:
                a, b, c = a + w[0], b + w[1], c + w[2]
        top = max(a, b, c)
        ea, eb, ec = math.exp(a - top), math.exp(b - top), math.exp(c - top)
        total = ea + eb + ec
        return ea / total, eb / total, ec / total

    def predict(self, names: Sequence[str]) -> tuple[int, float]:
        """(polarity, its probability)."""
        p = self.probabilities(names)
        k = max(range(len(CLASSES)), key=p.__getitem__)
        return CLASSES[k], p[k]

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> PolarityModel:
        weights: dict[str, Weights] = {}
        bias: Weights = (0.0, 0.0, 0.0)
        for name, *values in data_lines(path, "polarity model", "eval.experiments.polarity_model"):
            vector = tuple(float(v) for v in values[: len(CLASSES)])
            if name == "__bias__":
                bias = vector
            else:
                weights[name] = vector
        return cls(weights, bias)

    def save(self, path: Path, header: str = "") -> None:
        lines = [f"# {header}" if header else "# feature\tw(+1)\tw(-1)\tw(0)"]
        lines.append("__bias__\t" + "\t".join(f"{x:.4f}" for x in self.bias))
        lines += [name + "\t" + "\t".join(f"{x:.4f}" for x in w) for name, w in sorted(self.weights.items())]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@cache
def default_model() -> PolarityModel | None:
    """The shipped model, or None when none has been built (the rules alone then decide)."""
    return PolarityModel.load() if MODEL_PATH.exists() else None


def train(samples: Sequence[list[str]], labels: Sequence[int], l2: float = 1e-3, epochs: int = 40,
          rate: float = 0.5, min_count: int = 2) -> PolarityModel:  # fmt: skip
    """Multinomial logistic regression by AdaGrad over the samples' feature names (features seen in fewer than
    `min_count` samples are dropped), L2-regularised; deterministic (a fixed order, no sampling)."""
    counts: dict[str, int] = {}
    for names in samples:
        for n in names:
            counts[n] = counts.get(n, 0) + 1
    vocab = {n: i for i, n in enumerate(sorted(n for n, c in counts.items() if c >= min_count))}
    rows = [np.array([vocab[n] for n in names if n in vocab], dtype=np.int64) for names in samples]
    y = np.array([CLASSES.index(label) for label in labels])
    k = len(CLASSES)
    w = np.zeros((len(vocab), k))
    b = np.zeros(k)
    gw, gb = np.full((len(vocab), k), 1e-8), np.full(k, 1e-8)
    for _ in range(epochs):
        for i, idx in enumerate(rows):
            z = w[idx].sum(axis=0) + b
            p = np.exp(z - z.max())
            p /= p.sum()
            g = p.copy()
            g[y[i]] -= 1.0
            grad_w = g[None, :] + l2 * w[idx]
            gw[idx] += grad_w**2
            w[idx] -= rate * grad_w / np.sqrt(gw[idx])
            gb += g**2
            b -= rate * g / np.sqrt(gb)
    names = sorted(vocab, key=vocab.get)
    kept = {n: tuple(float(x) for x in w[vocab[n]]) for n in names if np.abs(w[vocab[n]]).max() > 1e-4}
    return PolarityModel(kept, tuple(float(x) for x in b))
