"""Every RPC once, for both clients: how its request is built and its answer decoded.

``RPCMethods`` holds the public methods. Each builds the ``<Method>Request`` payload and returns
``self._invoke(method, payload, decode, timeout)``: the blocking client's ``_invoke`` returns the
decoded answer, the asyncio client's returns a coroutine, so ``await client.recommend(...)``
works there with the very same signature, docstring and encoding.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable, List, Optional, Sequence, Union

import numpy as np

from ._pb import steer_pb2 as pb
from .errors import ProtocolError, rpc_error
from .types import (Backbones, BackboneInfo, Embeddings, Health, LoadedSnapshot, Method, Polarity, PolarityLike,
                    PromptPart, Recommendation, RetrieveQuery, RetrieveResult, RouteResult, SavedSnapshot, Stats)


class _Default:
    def __repr__(self) -> str:
        return "DEFAULT_TIMEOUT"


#: Use the client's ``default_timeout`` (the sentinel every ``timeout=`` parameter defaults to).
DEFAULT_TIMEOUT: Any = _Default()

Timeout = Union[float, None, _Default]
Decode = Callable[[bytes], Any]
ArrayLike = Union[np.ndarray, Sequence[float], Sequence[Sequence[float]]]


def answer(method: Method, response: pb.Response, decode: Decode) -> Any:
    """The decoded payload of an OK response; the status's exception otherwise (both clients)."""
    if response.status != 0:
        name = method.rpc_name if response.id else None
        raise rpc_error(response.status, response.message, name, response.id)
    try:
        return decode(response.payload)
    except Exception as error:
        raise ProtocolError(f"{method.rpc_name}: the answer's payload does not parse: {error}") from error


def _ids(values: Iterable[int]) -> List[int]:
    """Item or category ids for a uint32 field. Lists pass as they are (protobuf checks each
    value and raises ValueError out of 0 ... 2^32-1); numpy arrays go through ``tolist()``, which
    is several times faster than protobuf converting numpy scalars one by one."""
    if isinstance(values, list):
        return values
    if isinstance(values, np.ndarray):
        if values.dtype.kind not in "iu":
            raise TypeError(f"ids must be integers, got a {values.dtype} array")
        return values.ravel().tolist()
    return list(values)


def _matrix(values: ArrayLike, name: str) -> np.ndarray:
    """A 2-D float32 array; a 1-D input is one row."""
    array = np.asarray(values, dtype=np.float32)
    if array.ndim == 1:
        array = array[None, :]
    if array.ndim != 2:
        raise ValueError(f"{name} must be a vector or a (rows, dim) matrix, got shape {array.shape}")
    return array


def _rows(flat: Iterable[float], dim: int) -> np.ndarray:
    values = np.array(flat, dtype=np.float32)
    return values.reshape(-1, dim) if dim else values.reshape(0, 0)


_POLARITIES = tuple(Polarity)


def _polarity(number: int) -> Polarity:
    # A tuple index instead of Polarity(number): the enum's lookup costs microseconds per answer.
    return _POLARITIES[number] if 0 <= number < len(_POLARITIES) else Polarity(number)


def _part(message: pb.PromptPart) -> PromptPart:
    return PromptPart(message.text, _polarity(message.polarity), message.confidence, message.steered,
                      tuple(message.dropped_categories))


def _backbone(message: pb.BackboneInfo) -> BackboneInfo:
    return BackboneInfo(message.name, message.plugin_version, message.abi_major, message.abi_minor, message.sha256,
                        message.dim, message.max_len, message.n_items, message.trainable, message.active)


def _stated_part(part: Union[PromptPart, Sequence[Any]]) -> pb.PromptPart:
    if isinstance(part, PromptPart):
        text, polarity = part.text, part.polarity
    else:
        text, polarity = part
    return pb.PromptPart(text=text, polarity=int(Polarity.parse(polarity)))


def _decode_health(payload: bytes) -> Health:
    m = pb.HealthResponse.FromString(payload)
    return Health(m.live, m.ready, m.version, m.uptime_micros, m.abi_major, m.abi_minor, m.n_items, m.dim,
                  m.active_backbone)


def _decode_embed(payload: bytes) -> Embeddings:
    m = pb.EmbedPromptResponse.FromString(payload)
    return Embeddings(_rows(m.embeddings, m.dim), np.array(m.cache_hits, dtype=bool))


def _decode_route(payload: bytes) -> List[RouteResult]:
    m = pb.RouteResponse.FromString(payload)
    return [RouteResult(_polarity(r.polarity), r.confidence, [_part(p) for p in r.parts]) for r in m.results]


def _decode_encode(payload: bytes) -> np.ndarray:
    m = pb.EncodeHistoryResponse.FromString(payload)
    return _rows(m.user_vectors, m.dim)


def _decode_fuse(payload: bytes) -> np.ndarray:
    m = pb.FuseResponse.FromString(payload)
    return _rows(m.fused, m.dim)


def _decode_retrieve(payload: bytes) -> List[RetrieveResult]:
    m = pb.RetrieveResponse.FromString(payload)
    return [RetrieveResult(np.array(r.item_ids, dtype=np.uint32), np.array(r.scores, dtype=np.float32))
            for r in m.results]


def _decode_recommend(payload: bytes) -> Recommendation:
    m = pb.RecommendResponse.FromString(payload)
    return Recommendation(np.fromiter(m.item_ids, np.uint32, len(m.item_ids)),
                          np.fromiter(m.scores, np.float32, len(m.scores)),
                          _polarity(m.polarity), m.route_confidence, list(m.titles), list(m.categories),
                          [_part(p) for p in m.parts])


def _decode_backbones(payload: bytes) -> Backbones:
    m = pb.ListBackbonesResponse.FromString(payload)
    return Backbones([_backbone(b) for b in m.backbones], list(m.available))


def _decode_load_backbone(payload: bytes) -> BackboneInfo:
    return _backbone(pb.LoadBackboneResponse.FromString(payload).backbone)


def _decode_save(payload: bytes) -> SavedSnapshot:
    m = pb.SaveSnapshotResponse.FromString(payload)
    return SavedSnapshot(m.path, m.bytes, m.backbone, m.prompt_cache_entries)


def _decode_load_snapshot(payload: bytes) -> LoadedSnapshot:
    m = pb.LoadSnapshotResponse.FromString(payload)
    return LoadedSnapshot(m.n_items, m.dim, m.n_categories, m.backbone, m.prompt_cache_entries)


def _decode_stats(payload: bytes) -> Stats:
    m = pb.StatsResponse.FromString(payload)
    return Stats(m.prometheus_text, m.requests_total, m.errors_total, m.in_flight, m.connections)


class RPCMethods:
    """The twelve RPCs. ``timeout`` (seconds) becomes the request's deadline, which steerd
    enforces (DEADLINE_EXCEEDED, its work cancelled); None sends no deadline. Errors are raised
    as :mod:`steer_client.errors` classes."""

    def _invoke(self, method: Method, payload: bytes, decode: Decode, timeout: Timeout) -> Any:
        raise NotImplementedError

    def health(self, *, timeout: Timeout = DEFAULT_TIMEOUT) -> Health:
        """Liveness and readiness: version, uptime, the index's n_items and dim, the active backbone."""
        return self._invoke(Method.HEALTH, b"", _decode_health, timeout)

    def embed_prompt(self, prompts: Sequence[str], *, encoder: str = "",
                     timeout: Timeout = DEFAULT_TIMEOUT) -> Embeddings:
        """Sentence embeddings of 1 to 256 prompts: ``.vectors`` (prompts, encoder dim), float32."""
        payload = pb.EmbedPromptRequest(prompts=list(prompts), encoder=encoder).SerializeToString()
        return self._invoke(Method.EMBED_PROMPT, payload, _decode_embed, timeout)

    def route(self, prompts: Sequence[str], *, timeout: Timeout = DEFAULT_TIMEOUT) -> List[RouteResult]:
        """The router's reading of each prompt: polarity, confidence and parts."""
        payload = pb.RouteRequest(prompts=list(prompts)).SerializeToString()
        return self._invoke(Method.ROUTE, payload, _decode_route, timeout)

    def encode_history(self, histories: Sequence[Sequence[int]], *,
                       timeout: Timeout = DEFAULT_TIMEOUT) -> np.ndarray:
        """User vectors of histories (item ids, oldest first): a (histories, dim) float32 array."""
        request = pb.EncodeHistoryRequest(histories=[pb.History(item_ids=_ids(h)) for h in histories])
        return self._invoke(Method.ENCODE_HISTORY, request.SerializeToString(), _decode_encode, timeout)

    def fuse(self, user_vectors: ArrayLike, polarities: Sequence[PolarityLike], *,
             prompts: Optional[Sequence[str]] = None, prompt_embeddings: Optional[ArrayLike] = None,
             timeout: Timeout = DEFAULT_TIMEOUT) -> np.ndarray:
        """Steered user vectors: each row of ``user_vectors`` (B, dim) moved by its prompt
        (``prompts``, B texts) or prompt embedding (pooled heads only) through the tower of its
        polarity (positive or negative; unspecified is refused). Returns (B, dim) float32."""
        vectors = _matrix(user_vectors, "user_vectors")
        request = pb.FuseRequest(dim=vectors.shape[1], polarities=[int(Polarity.parse(p)) for p in polarities])
        request.user_vectors.extend(vectors.ravel().tolist())
        if prompts is not None:
            request.prompts.extend(prompts)
        if prompt_embeddings is not None:
            request.prompt_embeddings.extend(_matrix(prompt_embeddings, "prompt_embeddings").ravel().tolist())
        return self._invoke(Method.FUSE, request.SerializeToString(), _decode_fuse, timeout)

    def retrieve(self, queries: Union[ArrayLike, Sequence[RetrieveQuery]], k: int = 10, *,
                 timeout: Timeout = DEFAULT_TIMEOUT) -> List[RetrieveResult]:
        """Exact top-k by inner product over the item index, per query.

        ``queries`` is a (Q, dim) array (or one vector), or a list of :class:`RetrieveQuery` with
        per-query filters (items to exclude, categories to require or exclude).
        """
        request = pb.RetrieveRequest(k=k)
        if len(queries) and all(isinstance(q, RetrieveQuery) for q in queries):
            for q in queries:
                message = request.queries.add()
                message.vector.extend(np.asarray(q.vector, dtype=np.float32).ravel().tolist())
                message.exclude_items.extend(_ids(q.exclude_items))
                message.require_categories.extend(_ids(q.require_categories))
                message.exclude_categories.extend(_ids(q.exclude_categories))
        else:
            for row in _matrix(queries, "queries"):
                request.queries.add().vector.extend(row.tolist())
        return self._invoke(Method.RETRIEVE, request.SerializeToString(), _decode_retrieve, timeout)

    def recommend(self, history: Sequence[int], prompt: Optional[str] = None, *, k: int = 10,
                  polarity: Optional[PolarityLike] = None,
                  parts: Optional[Sequence[Union[PromptPart, Sequence[Any]]]] = None,
                  include_history: bool = False, drop_refused_categories: bool = False,
                  timeout: Timeout = DEFAULT_TIMEOUT) -> Recommendation:
        """Top-k items for a history (item ids, oldest first), steered by a prompt.

        Args:
            prompt: read by steerd part by part and routed; None or "" for a plain recommendation.
            polarity: states the prompt's polarity (the router is skipped; the prompt is one part).
            parts: instead of a prompt, the stated parts, each a :class:`PromptPart` or a
                ``(text, polarity)`` pair such as ``("a comedy", "+")``; all applied, in steerd's
                steering order: the refusals, the requests, then the refusals again.
            include_history: let items of the history be recommended.
            drop_refused_categories: also leave out every item of a category an applied refusal
                names or describes and no request names ("no westerns": no Western; "nothing
                scary": no Horror); each refusal's
                ``dropped_categories`` says which.
        """
        request = pb.RecommendRequest(k=k, include_history=include_history,
                                      drop_refused_categories=drop_refused_categories)
        request.history.item_ids.extend(_ids(history))
        if prompt:
            request.prompt = prompt
        if polarity is not None:
            request.polarity = int(Polarity.parse(polarity))
        if parts:
            request.parts.extend(_stated_part(p) for p in parts)
        return self._invoke(Method.RECOMMEND, request.SerializeToString(), _decode_recommend, timeout)

    def list_backbones(self, *, timeout: Timeout = DEFAULT_TIMEOUT) -> Backbones:
        """The loaded backbones and the plugin names in steerd's plugin folder."""
        return self._invoke(Method.LIST_BACKBONES, b"", _decode_backbones, timeout)

    def load_backbone(self, name: str, checkpoint: str = "", *, timeout: Timeout = DEFAULT_TIMEOUT) -> BackboneInfo:
        """Loads plugin ``name`` with ``checkpoint`` (a file name in steerd's snapshot folder), whose
        items become the index and whose DPR head (if any) serves Fuse and Recommend."""
        payload = pb.LoadBackboneRequest(name=name, checkpoint=checkpoint).SerializeToString()
        return self._invoke(Method.LOAD_BACKBONE, payload, _decode_load_backbone, timeout)

    def save_snapshot(self, name: str, *, overwrite: bool = False,
                      timeout: Timeout = DEFAULT_TIMEOUT) -> SavedSnapshot:
        """Saves steerd's state (backbone and checkpoint, index, prompt cache) as ``name`` in its
        snapshot folder; an existing name is ALREADY_EXISTS unless ``overwrite``."""
        payload = pb.SaveSnapshotRequest(name=name, overwrite=overwrite).SerializeToString()
        return self._invoke(Method.SAVE_SNAPSHOT, payload, _decode_save, timeout)

    def load_snapshot(self, name: str, *, timeout: Timeout = DEFAULT_TIMEOUT) -> LoadedSnapshot:
        """Loads an item index or a state snapshot from steerd's snapshot folder."""
        payload = pb.LoadSnapshotRequest(name=name).SerializeToString()
        return self._invoke(Method.LOAD_SNAPSHOT, payload, _decode_load_snapshot, timeout)

    def stats(self, *, timeout: Timeout = DEFAULT_TIMEOUT) -> Stats:
        """steerd's counters (Prometheus text) and totals."""
        return self._invoke(Method.STATS, b"", _decode_stats, timeout)
