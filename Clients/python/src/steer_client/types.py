"""What the RPCs take and return: enums and small result classes holding numpy arrays.

Vectors and matrices come back as ``numpy.float32`` arrays shaped (rows, dim); item ids as
``numpy.uint32`` arrays, best first.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import List, Optional, Sequence, Union

import numpy as np


class Method(enum.IntEnum):
    """``steer.v1.Method``: the number each RPC travels under."""

    HEALTH = 1
    EMBED_PROMPT = 2
    ROUTE = 3
    ENCODE_HISTORY = 4
    FUSE = 5
    RETRIEVE = 6
    RECOMMEND = 7
    LIST_BACKBONES = 8
    LOAD_BACKBONE = 9
    SAVE_SNAPSHOT = 10
    LOAD_SNAPSHOT = 11
    STATS = 12

    @property
    def rpc_name(self) -> str:
        """The name steerd's metrics use ("EmbedPrompt")."""
        return "".join(word.capitalize() for word in self.name.split("_"))


class Polarity(enum.IntEnum):
    """Whether a prompt asks for something (POSITIVE) or rules it out (NEGATIVE)."""

    UNSPECIFIED = 0
    POSITIVE = 1
    NEGATIVE = 2

    @classmethod
    def parse(cls, value: "PolarityLike") -> "Polarity":
        """A Polarity from itself, its number, or "positive"/"+"/"negative"/"-"."""
        if isinstance(value, str):
            key = value.strip().lower()
            names = {"positive": cls.POSITIVE, "+": cls.POSITIVE, "pos": cls.POSITIVE,
                     "negative": cls.NEGATIVE, "-": cls.NEGATIVE, "neg": cls.NEGATIVE,
                     "unspecified": cls.UNSPECIFIED}
            if key not in names:
                raise ValueError(f"not a polarity: {value!r} (positive, negative, + or -)")
            return names[key]
        return cls(int(value))


PolarityLike = Union[Polarity, int, str]


@dataclass(frozen=True)
class PromptPart:
    """One request inside a prompt ("a comedy, but please no romance" holds two).

    As sent in Recommend's stated ``parts`` only ``text`` and ``polarity`` matter; as returned,
    ``confidence`` is the router's probability of ``polarity`` (1 when stated), ``steered``
    says whether the part moved the user vector, and ``dropped_categories`` (Recommend with
    ``drop_refused_categories``) names the categories this refusal kept out of the ranking.
    """

    text: str
    polarity: Polarity
    confidence: float = 1.0
    steered: bool = False
    dropped_categories: Sequence[str] = ()


@dataclass(frozen=True)
class Health:
    live: bool
    ready: bool
    version: str
    uptime_micros: int
    abi_major: int
    abi_minor: int
    n_items: int
    dim: int
    active_backbone: str


@dataclass(frozen=True)
class Embeddings:
    """EmbedPrompt's answer: one row per prompt, and whether each came from steerd's cache."""

    vectors: np.ndarray
    cache_hits: np.ndarray


@dataclass(frozen=True)
class RouteResult:
    """The router's reading of one prompt: the whole prompt's polarity and confidence, and its parts."""

    polarity: Polarity
    confidence: float
    parts: List[PromptPart]


@dataclass
class RetrieveQuery:
    """One Retrieve query: a vector of the index's dim and optional filters."""

    vector: Union[np.ndarray, Sequence[float]]
    exclude_items: Sequence[int] = ()
    require_categories: Sequence[int] = ()
    exclude_categories: Sequence[int] = ()


@dataclass(frozen=True)
class RetrieveResult:
    """Top-k of one query: item ids best first (equal scores by ascending id) and inner products."""

    item_ids: np.ndarray
    scores: np.ndarray


@dataclass(frozen=True)
class Recommendation:
    """Recommend's answer.

    ``polarity`` and ``route_confidence`` are those of the first applied part (UNSPECIFIED and 0
    when nothing steered); ``titles`` and ``categories`` (names joined with "|") are per item.
    """

    item_ids: np.ndarray
    scores: np.ndarray
    polarity: Polarity
    route_confidence: float
    titles: List[str]
    categories: List[str]
    parts: List[PromptPart] = field(default_factory=list)

    def rows(self) -> List[tuple]:
        """(rank, item id, score, title, categories) per item, for printing as a table."""
        return [(rank + 1, int(item), float(score), title, category) for rank, (item, score, title, category)
                in enumerate(zip(self.item_ids, self.scores, self.titles or [""] * len(self.item_ids),
                                 self.categories or [""] * len(self.item_ids)))]


@dataclass(frozen=True)
class BackboneInfo:
    name: str
    plugin_version: str
    abi_major: int
    abi_minor: int
    sha256: str
    dim: int
    max_len: int
    n_items: int
    trainable: bool
    active: bool


@dataclass(frozen=True)
class Backbones:
    """ListBackbones' answer: the loaded backbones and the plugin names available to load."""

    backbones: List[BackboneInfo]
    available: List[str]


@dataclass(frozen=True)
class SavedSnapshot:
    path: str
    bytes: int
    backbone: str
    prompt_cache_entries: int


@dataclass(frozen=True)
class LoadedSnapshot:
    n_items: int
    dim: int
    n_categories: int
    backbone: str
    prompt_cache_entries: int


@dataclass(frozen=True)
class Stats:
    """Stats' answer: the Prometheus text and a few totals."""

    prometheus_text: str
    requests_total: int
    errors_total: int
    in_flight: int
    connections: int

    def metric(self, name: str, **labels: str) -> Optional[float]:
        """The value of one series of ``prometheus_text`` (labels must match exactly), or None."""
        wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
        for line in self.prometheus_text.splitlines():
            if line.startswith("#") or not line.startswith(name):
                continue
            key, _, value = line.rpartition(" ")
            if key == name and not wanted:
                return float(value)
            if key.startswith(name + "{") and key.endswith("}"):
                got = ",".join(sorted(key[len(name) + 1:-1].split(",")))
                if got == wanted:
                    return float(value)
        return None
