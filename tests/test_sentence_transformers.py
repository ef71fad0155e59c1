"""The sentence-transformers backend on a tiny model folder the test builds itself (random weights: this
proves the code path — loading from a folder, prefixes, the manifest's embedder id — never quality)."""

from __future__ import annotations

import pytest

from rag.embedders import EmbedderConfig, make_embedder
from rag.errors import IndexOpenError
from rag.index.build import build_index
from rag.index.store import HybridIndex

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.filterwarnings("ignore::FutureWarning"),
]


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory, shop_data):
    pytest.importorskip("sentence_transformers")
    from sentence_transformers import SentenceTransformer, models
    from transformers import BertConfig, BertModel, BertTokenizerFast

    root = tmp_path_factory.mktemp("st")
    chars = sorted(
        {c for r in shop_data.reviews for c in r.text}
        | {c for p in shop_data.products.values() for c in p.document_text()}
    )
    vocab = root / "vocab.txt"
    vocab.write_text(
        "\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *[c for c in chars if c.strip()]]), encoding="utf-8"
    )
    base = root / "base"
    BertTokenizerFast(vocab_file=str(vocab), do_lower_case=False, tokenize_chinese_chars=False).save_pretrained(base)
    config = BertConfig(
        vocab_size=len(vocab.read_text(encoding="utf-8").splitlines()),
        hidden_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=256,
    )
    BertModel(config).save_pretrained(base)
    transformer = models.Transformer(str(base), max_seq_length=128)
    pooling = models.Pooling(transformer.get_word_embedding_dimension(), pooling_mode="mean")
    folder = root / "tiny-ko-model"
    SentenceTransformer(modules=[transformer, pooling], device="cpu").save(str(folder))
    return folder


def test_missing_model_folder_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist; models are never downloaded"):
        make_embedder(EmbedderConfig(backend="sentence-transformers", model_path=str(tmp_path / "nope")))


def test_index_built_with_a_local_model_round_trips(tiny_model, tmp_path, shop_data, analyzer, embedder):
    st = make_embedder(
        EmbedderConfig(
            backend="sentence-transformers",
            model_path=str(tiny_model),
            query_prefix="query: ",
            passage_prefix="passage: ",
        )
    )
    assert st.dim == 32 and st.embedder_id.startswith("sentence-transformers:tiny-ko-model:")
    vectors = st.embed_array(["조용한 가습기", "노이즈캔슬링 이어폰"])
    assert vectors.shape == (2, 32)
    assert abs(float((vectors**2).sum(axis=1)[0]) - 1.0) < 1e-4  # normalised for inner-product search
    path = tmp_path / "idx"
    build_index(path, list(shop_data.products.values()), shop_data.reviews, shop_data.events, analyzer, st)
    # opened without an embedder, the index rebuilds its own from the manifest's config (from allowed folders only)
    index = HybridIndex.open(path, model_dirs=[tiny_model.parent])
    assert index.embedder.embedder_id == st.embedder_id and index.dense.d == 32
    _, ids = index.dense.search(index.embedder.embed_query_array("가습기").reshape(1, -1), 3)
    assert all(index.catalog.document(int(i)) is not None for i in ids[0])
    with pytest.raises(IndexOpenError, match="built with the embedder 'sentence-transformers:tiny-ko-model"):
        HybridIndex.open(path, embedder=embedder)
