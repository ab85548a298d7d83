"""Every RPC against a real steerd serving the shipped SASRec DPR model (ML-1M, 3,667 items, dim 64).

Floats computed by different calls (Recommend's ranking against EncodeHistory + Retrieve) are
compared within 1e-4: steerd's BLAS may take other kernels for other shapes; a cached answer
is compared exactly, since returning the stored value is the cache's contract.
"""
from __future__ import annotations

import numpy as np
import pytest

from steer_client import (AlreadyExistsError, InvalidArgumentError, NotFoundError, Polarity, PromptPart,
                          RetrieveQuery, StatusCode)

N_ITEMS = 3667  # ML-1M items in the 8:1:1 split the model was trained on
DIM = 64
HISTORY = [1, 2, 3, 47, 1195, 592, 2571]
SCORE_TOLERANCE = 1e-4


def test_load_backbone_reports_the_model(steerd):
    info = steerd.backbone
    assert (info.name, info.dim, info.n_items, info.active) == ("SASRec", DIM, N_ITEMS, True)
    assert len(info.sha256) == 64


def test_health(client):
    health = client.health()
    assert health.live and health.ready
    assert (health.n_items, health.dim, health.active_backbone) == (N_ITEMS, DIM, "SASRec")
    assert health.version and health.uptime_micros > 0 and health.abi_major >= 1


def test_list_backbones(client):
    listed = client.list_backbones()
    active = [b for b in listed.backbones if b.active]
    assert [b.name for b in active] == ["SASRec"]
    assert {"SASRec", "GRU4Rec", "MeanPool"} <= set(listed.available)


def test_embed_prompt_shapes_and_cache(client):
    prompts = ["embed test: something light for the kids", "embed test: no horror tonight"]
    first = client.embed_prompt(prompts)
    assert first.vectors.shape == (2, 384) and first.vectors.dtype == np.float32
    assert not first.cache_hits.any()
    # all-MiniLM-L6-v2 ends in a normalisation layer: unit vectors (float32 rounding only).
    np.testing.assert_allclose(np.linalg.norm(first.vectors, axis=1), 1.0, atol=1e-5)
    assert not np.allclose(first.vectors[0], first.vectors[1], atol=1e-3)
    again = client.embed_prompt(prompts)
    assert again.cache_hits.all()
    np.testing.assert_array_equal(again.vectors, first.vectors)


def test_route_reads_polarity_and_parts(client):
    positive, negative, both = client.route(["I'm in the mood for a comedy", "no horror tonight",
                                             "a comedy, but please no romance"])
    assert positive.polarity == Polarity.POSITIVE and 0.5 <= positive.confidence <= 1
    assert negative.polarity == Polarity.NEGATIVE and 0.5 <= negative.confidence <= 1
    assert len(positive.parts) == 1 and positive.parts[0].text == "I'm in the mood for a comedy"
    assert [p.polarity for p in both.parts] == [Polarity.POSITIVE, Polarity.NEGATIVE]


def test_encode_history_then_retrieve_equals_recommend(client):
    vectors = client.encode_history([HISTORY, HISTORY[:3]])
    assert vectors.shape == (2, DIM) and vectors.dtype == np.float32
    assert not np.allclose(vectors[0], vectors[1], atol=1e-4)
    [retrieved] = client.retrieve([RetrieveQuery(vectors[0], exclude_items=HISTORY)], k=10)
    plain = client.recommend(HISTORY, k=10)
    np.testing.assert_array_equal(retrieved.item_ids, plain.item_ids)
    np.testing.assert_allclose(retrieved.scores, plain.scores, atol=SCORE_TOLERANCE)
    assert plain.polarity == Polarity.UNSPECIFIED and plain.route_confidence == 0 and plain.parts == []
    assert not set(plain.item_ids.tolist()) & set(HISTORY)


def test_retrieve_matrix_filters_and_order(client):
    queries = np.random.default_rng(3).standard_normal((3, DIM)).astype(np.float32)
    results = client.retrieve(queries, k=25)
    assert len(results) == 3
    for query, result in zip(queries, results):
        assert result.item_ids.dtype == np.uint32 and len(result.item_ids) == 25
        assert np.all(np.diff(result.scores) <= 0), "best first"
        assert result.item_ids.max() < N_ITEMS
    excluded = results[0].item_ids[:5].tolist()
    [filtered] = client.retrieve([RetrieveQuery(queries[0], exclude_items=excluded)], k=20)
    np.testing.assert_array_equal(filtered.item_ids, results[0].item_ids[5:25])


def test_fuse_then_retrieve_equals_stated_recommend(client):
    prompt = "I'm in the mood for a comedy"
    user = client.encode_history([HISTORY])
    fused = client.fuse(user, ["positive"], prompts=[prompt])
    assert fused.shape == (1, DIM) and fused.dtype == np.float32
    assert np.linalg.norm(fused - user) > 1e-3, "a DPR head moves the user vector"
    [retrieved] = client.retrieve([RetrieveQuery(fused[0], exclude_items=HISTORY)], k=10)
    steered = client.recommend(HISTORY, prompt, polarity=Polarity.POSITIVE, k=10)
    np.testing.assert_array_equal(retrieved.item_ids, steered.item_ids)
    np.testing.assert_allclose(retrieved.scores, steered.scores, atol=SCORE_TOLERANCE)
    assert steered.polarity == Polarity.POSITIVE and steered.route_confidence == 1


def test_recommend_prompt_steers_towards_the_genre(client):
    plain = client.recommend(HISTORY, k=10)
    comedy = client.recommend(HISTORY, "I'm in the mood for a comedy", k=10)
    assert comedy.polarity == Polarity.POSITIVE and len(comedy.parts) == 1 and comedy.parts[0].steered
    count = lambda rec: sum("Comedy" in c.split("|") for c in rec.categories)  # noqa: E731
    assert count(comedy) > count(plain)
    assert len(comedy.titles) == 10 and all(comedy.titles)
    rows = comedy.rows()
    assert rows[0][:2] == (1, int(comedy.item_ids[0]))


def test_recommend_negative_prompt_rules_out_the_genre(client):
    plain = client.recommend(HISTORY, k=20)
    no_drama = client.recommend(HISTORY, "no drama please", polarity="negative", k=20)
    count = lambda rec: sum("Drama" in c.split("|") for c in rec.categories)  # noqa: E731
    assert no_drama.polarity == Polarity.NEGATIVE
    assert count(no_drama) < count(plain)


def test_recommend_prompt_read_as_parts(client):
    rec = client.recommend(HISTORY, "a comedy, but please no romance", k=10)
    assert [p.polarity for p in rec.parts] == [Polarity.POSITIVE, Polarity.NEGATIVE]
    assert all(0.5 <= p.confidence <= 1 for p in rec.parts)


def test_recommend_stated_parts(client):
    rec = client.recommend(HISTORY, parts=[PromptPart("a comedy", Polarity.POSITIVE), ("romance", "-")], k=10)
    assert [(p.text, p.polarity, p.confidence, p.steered) for p in rec.parts] == [
        ("a comedy", Polarity.POSITIVE, 1.0, True), ("romance", Polarity.NEGATIVE, 1.0, True)]
    assert rec.polarity == Polarity.POSITIVE and rec.route_confidence == 1
    plain = client.recommend(HISTORY, k=10)
    assert rec.item_ids.tolist() != plain.item_ids.tolist()


def test_recommend_drop_refused_categories(client):
    stated = [("a comedy", "+"), ("no drama", "-")]
    kept = client.recommend(HISTORY, parts=stated, k=N_ITEMS - len(HISTORY))
    dropped = client.recommend(HISTORY, parts=stated, k=N_ITEMS - len(HISTORY), drop_refused_categories=True)
    assert [p.dropped_categories for p in kept.parts] == [(), ()]
    assert [p.dropped_categories for p in dropped.parts] == [(), ("Drama",)]
    assert any("Drama" in c.split("|") for c in kept.categories)
    assert not any("Drama" in c.split("|") for c in dropped.categories)
    expected = [i for i, c in zip(kept.item_ids.tolist(), kept.categories) if "Drama" not in c.split("|")]
    assert dropped.item_ids.tolist() == expected


def test_recommend_include_history(client):
    rec = client.recommend(HISTORY, k=N_ITEMS, include_history=True)
    assert sorted(rec.item_ids.tolist()) == list(range(N_ITEMS))


def test_stats_count_requests(client):
    before = client.stats()
    for _ in range(3):
        client.health()
    after = client.stats()
    key = dict(method="Health", status="OK")
    assert after.metric("steer_requests_total", **key) - (before.metric("steer_requests_total", **key) or 0) == 3
    assert after.requests_total >= before.requests_total + 4  # three Health and the first Stats
    assert after.connections >= 1 and "steer_requests_total" in after.prometheus_text


def test_save_and_load_snapshot(client, steerd):
    saved = client.save_snapshot("py-state.snap")
    assert saved.bytes > 0 and saved.backbone == "SASRec" and saved.path.endswith("py-state.snap")
    assert (steerd.snapshots / "py-state.snap").stat().st_size == saved.bytes
    with pytest.raises(AlreadyExistsError) as refused:
        client.save_snapshot("py-state.snap")
    assert refused.value.code == StatusCode.ALREADY_EXISTS and "py-state.snap" in refused.value.message
    assert client.save_snapshot("py-state.snap", overwrite=True).bytes > 0
    loaded = client.load_snapshot("py-state.snap")
    assert (loaded.n_items, loaded.dim, loaded.backbone) == (N_ITEMS, DIM, "SASRec")
    assert client.health().active_backbone == "SASRec"


def test_snapshot_names_are_checked(client):
    with pytest.raises(NotFoundError):
        client.load_snapshot("no-such-file.snap")
    with pytest.raises(InvalidArgumentError) as bad:
        client.load_snapshot("../escape.snap")
    assert bad.value.method == "LoadSnapshot" and bad.value.request_id > 0
