from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Method(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    METHOD_UNSPECIFIED: _ClassVar[Method]
    METHOD_HEALTH: _ClassVar[Method]
    METHOD_EMBED_PROMPT: _ClassVar[Method]
    METHOD_ROUTE: _ClassVar[Method]
    METHOD_ENCODE_HISTORY: _ClassVar[Method]
    METHOD_FUSE: _ClassVar[Method]
    METHOD_RETRIEVE: _ClassVar[Method]
    METHOD_RECOMMEND: _ClassVar[Method]
    METHOD_LIST_BACKBONES: _ClassVar[Method]
    METHOD_LOAD_BACKBONE: _ClassVar[Method]
    METHOD_SAVE_SNAPSHOT: _ClassVar[Method]
    METHOD_LOAD_SNAPSHOT: _ClassVar[Method]
    METHOD_STATS: _ClassVar[Method]

class StatusCode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    STATUS_OK: _ClassVar[StatusCode]
    STATUS_CANCELLED: _ClassVar[StatusCode]
    STATUS_UNKNOWN: _ClassVar[StatusCode]
    STATUS_INVALID_ARGUMENT: _ClassVar[StatusCode]
    STATUS_DEADLINE_EXCEEDED: _ClassVar[StatusCode]
    STATUS_NOT_FOUND: _ClassVar[StatusCode]
    STATUS_ALREADY_EXISTS: _ClassVar[StatusCode]
    STATUS_PERMISSION_DENIED: _ClassVar[StatusCode]
    STATUS_RESOURCE_EXHAUSTED: _ClassVar[StatusCode]
    STATUS_FAILED_PRECONDITION: _ClassVar[StatusCode]
    STATUS_ABORTED: _ClassVar[StatusCode]
    STATUS_OUT_OF_RANGE: _ClassVar[StatusCode]
    STATUS_UNIMPLEMENTED: _ClassVar[StatusCode]
    STATUS_INTERNAL: _ClassVar[StatusCode]
    STATUS_UNAVAILABLE: _ClassVar[StatusCode]
    STATUS_DATA_LOSS: _ClassVar[StatusCode]
    STATUS_UNAUTHENTICATED: _ClassVar[StatusCode]

class Polarity(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    POLARITY_UNSPECIFIED: _ClassVar[Polarity]
    POLARITY_POSITIVE: _ClassVar[Polarity]
    POLARITY_NEGATIVE: _ClassVar[Polarity]
METHOD_UNSPECIFIED: Method
METHOD_HEALTH: Method
METHOD_EMBED_PROMPT: Method
METHOD_ROUTE: Method
METHOD_ENCODE_HISTORY: Method
METHOD_FUSE: Method
METHOD_RETRIEVE: Method
METHOD_RECOMMEND: Method
METHOD_LIST_BACKBONES: Method
METHOD_LOAD_BACKBONE: Method
METHOD_SAVE_SNAPSHOT: Method
METHOD_LOAD_SNAPSHOT: Method
METHOD_STATS: Method
STATUS_OK: StatusCode
STATUS_CANCELLED: StatusCode
STATUS_UNKNOWN: StatusCode
STATUS_INVALID_ARGUMENT: StatusCode
STATUS_DEADLINE_EXCEEDED: StatusCode
STATUS_NOT_FOUND: StatusCode
STATUS_ALREADY_EXISTS: StatusCode
STATUS_PERMISSION_DENIED: StatusCode
STATUS_RESOURCE_EXHAUSTED: StatusCode
STATUS_FAILED_PRECONDITION: StatusCode
STATUS_ABORTED: StatusCode
STATUS_OUT_OF_RANGE: StatusCode
STATUS_UNIMPLEMENTED: StatusCode
STATUS_INTERNAL: StatusCode
STATUS_UNAVAILABLE: StatusCode
STATUS_DATA_LOSS: StatusCode
STATUS_UNAUTHENTICATED: StatusCode
POLARITY_UNSPECIFIED: Polarity
POLARITY_POSITIVE: Polarity
POLARITY_NEGATIVE: Polarity

class Request(_message.Message):
    __slots__ = ("id", "method", "deadline_unix_micros", "payload")
    ID_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    DEADLINE_UNIX_MICROS_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    id: int
    method: Method
    deadline_unix_micros: int
    payload: bytes
    def __init__(self, id: _Optional[int] = ..., method: _Optional[_Union[Method, str]] = ..., deadline_unix_micros: _Optional[int] = ..., payload: _Optional[bytes] = ...) -> None: ...

class Response(_message.Message):
    __slots__ = ("id", "status", "message", "payload")
    ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    id: int
    status: StatusCode
    message: str
    payload: bytes
    def __init__(self, id: _Optional[int] = ..., status: _Optional[_Union[StatusCode, str]] = ..., message: _Optional[str] = ..., payload: _Optional[bytes] = ...) -> None: ...

class BackboneInfo(_message.Message):
    __slots__ = ("name", "plugin_version", "abi_major", "abi_minor", "sha256", "dim", "max_len", "n_items", "trainable", "active")
    NAME_FIELD_NUMBER: _ClassVar[int]
    PLUGIN_VERSION_FIELD_NUMBER: _ClassVar[int]
    ABI_MAJOR_FIELD_NUMBER: _ClassVar[int]
    ABI_MINOR_FIELD_NUMBER: _ClassVar[int]
    SHA256_FIELD_NUMBER: _ClassVar[int]
    DIM_FIELD_NUMBER: _ClassVar[int]
    MAX_LEN_FIELD_NUMBER: _ClassVar[int]
    N_ITEMS_FIELD_NUMBER: _ClassVar[int]
    TRAINABLE_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_FIELD_NUMBER: _ClassVar[int]
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
    def __init__(self, name: _Optional[str] = ..., plugin_version: _Optional[str] = ..., abi_major: _Optional[int] = ..., abi_minor: _Optional[int] = ..., sha256: _Optional[str] = ..., dim: _Optional[int] = ..., max_len: _Optional[int] = ..., n_items: _Optional[int] = ..., trainable: bool = ..., active: bool = ...) -> None: ...

class HealthRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class HealthResponse(_message.Message):
    __slots__ = ("live", "ready", "version", "uptime_micros", "abi_major", "abi_minor", "n_items", "dim", "active_backbone")
    LIVE_FIELD_NUMBER: _ClassVar[int]
    READY_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    UPTIME_MICROS_FIELD_NUMBER: _ClassVar[int]
    ABI_MAJOR_FIELD_NUMBER: _ClassVar[int]
    ABI_MINOR_FIELD_NUMBER: _ClassVar[int]
    N_ITEMS_FIELD_NUMBER: _ClassVar[int]
    DIM_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_BACKBONE_FIELD_NUMBER: _ClassVar[int]
    live: bool
    ready: bool
    version: str
    uptime_micros: int
    abi_major: int
    abi_minor: int
    n_items: int
    dim: int
    active_backbone: str
    def __init__(self, live: bool = ..., ready: bool = ..., version: _Optional[str] = ..., uptime_micros: _Optional[int] = ..., abi_major: _Optional[int] = ..., abi_minor: _Optional[int] = ..., n_items: _Optional[int] = ..., dim: _Optional[int] = ..., active_backbone: _Optional[str] = ...) -> None: ...

class EmbedPromptRequest(_message.Message):
    __slots__ = ("prompts", "encoder")
    PROMPTS_FIELD_NUMBER: _ClassVar[int]
    ENCODER_FIELD_NUMBER: _ClassVar[int]
    prompts: _containers.RepeatedScalarFieldContainer[str]
    encoder: str
    def __init__(self, prompts: _Optional[_Iterable[str]] = ..., encoder: _Optional[str] = ...) -> None: ...

class EmbedPromptResponse(_message.Message):
    __slots__ = ("dim", "embeddings", "cache_hits")
    DIM_FIELD_NUMBER: _ClassVar[int]
    EMBEDDINGS_FIELD_NUMBER: _ClassVar[int]
    CACHE_HITS_FIELD_NUMBER: _ClassVar[int]
    dim: int
    embeddings: _containers.RepeatedScalarFieldContainer[float]
    cache_hits: _containers.RepeatedScalarFieldContainer[bool]
    def __init__(self, dim: _Optional[int] = ..., embeddings: _Optional[_Iterable[float]] = ..., cache_hits: _Optional[_Iterable[bool]] = ...) -> None: ...

class RouteRequest(_message.Message):
    __slots__ = ("prompts",)
    PROMPTS_FIELD_NUMBER: _ClassVar[int]
    prompts: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, prompts: _Optional[_Iterable[str]] = ...) -> None: ...

class PromptPart(_message.Message):
    __slots__ = ("text", "polarity", "confidence", "steered")
    TEXT_FIELD_NUMBER: _ClassVar[int]
    POLARITY_FIELD_NUMBER: _ClassVar[int]
    CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    STEERED_FIELD_NUMBER: _ClassVar[int]
    text: str
    polarity: Polarity
    confidence: float
    steered: bool
    def __init__(self, text: _Optional[str] = ..., polarity: _Optional[_Union[Polarity, str]] = ..., confidence: _Optional[float] = ..., steered: bool = ...) -> None: ...

class RouteResult(_message.Message):
    __slots__ = ("polarity", "confidence", "parts")
    POLARITY_FIELD_NUMBER: _ClassVar[int]
    CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    PARTS_FIELD_NUMBER: _ClassVar[int]
    polarity: Polarity
    confidence: float
    parts: _containers.RepeatedCompositeFieldContainer[PromptPart]
    def __init__(self, polarity: _Optional[_Union[Polarity, str]] = ..., confidence: _Optional[float] = ..., parts: _Optional[_Iterable[_Union[PromptPart, _Mapping]]] = ...) -> None: ...

class RouteResponse(_message.Message):
    __slots__ = ("results",)
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[RouteResult]
    def __init__(self, results: _Optional[_Iterable[_Union[RouteResult, _Mapping]]] = ...) -> None: ...

class History(_message.Message):
    __slots__ = ("item_ids",)
    ITEM_IDS_FIELD_NUMBER: _ClassVar[int]
    item_ids: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, item_ids: _Optional[_Iterable[int]] = ...) -> None: ...

class EncodeHistoryRequest(_message.Message):
    __slots__ = ("histories",)
    HISTORIES_FIELD_NUMBER: _ClassVar[int]
    histories: _containers.RepeatedCompositeFieldContainer[History]
    def __init__(self, histories: _Optional[_Iterable[_Union[History, _Mapping]]] = ...) -> None: ...

class EncodeHistoryResponse(_message.Message):
    __slots__ = ("dim", "user_vectors")
    DIM_FIELD_NUMBER: _ClassVar[int]
    USER_VECTORS_FIELD_NUMBER: _ClassVar[int]
    dim: int
    user_vectors: _containers.RepeatedScalarFieldContainer[float]
    def __init__(self, dim: _Optional[int] = ..., user_vectors: _Optional[_Iterable[float]] = ...) -> None: ...

class FuseRequest(_message.Message):
    __slots__ = ("dim", "user_vectors", "prompt_embeddings", "polarities", "prompts")
    DIM_FIELD_NUMBER: _ClassVar[int]
    USER_VECTORS_FIELD_NUMBER: _ClassVar[int]
    PROMPT_EMBEDDINGS_FIELD_NUMBER: _ClassVar[int]
    POLARITIES_FIELD_NUMBER: _ClassVar[int]
    PROMPTS_FIELD_NUMBER: _ClassVar[int]
    dim: int
    user_vectors: _containers.RepeatedScalarFieldContainer[float]
    prompt_embeddings: _containers.RepeatedScalarFieldContainer[float]
    polarities: _containers.RepeatedScalarFieldContainer[Polarity]
    prompts: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, dim: _Optional[int] = ..., user_vectors: _Optional[_Iterable[float]] = ..., prompt_embeddings: _Optional[_Iterable[float]] = ..., polarities: _Optional[_Iterable[_Union[Polarity, str]]] = ..., prompts: _Optional[_Iterable[str]] = ...) -> None: ...

class FuseResponse(_message.Message):
    __slots__ = ("dim", "fused")
    DIM_FIELD_NUMBER: _ClassVar[int]
    FUSED_FIELD_NUMBER: _ClassVar[int]
    dim: int
    fused: _containers.RepeatedScalarFieldContainer[float]
    def __init__(self, dim: _Optional[int] = ..., fused: _Optional[_Iterable[float]] = ...) -> None: ...

class RetrieveQuery(_message.Message):
    __slots__ = ("vector", "exclude_items", "require_categories", "exclude_categories")
    VECTOR_FIELD_NUMBER: _ClassVar[int]
    EXCLUDE_ITEMS_FIELD_NUMBER: _ClassVar[int]
    REQUIRE_CATEGORIES_FIELD_NUMBER: _ClassVar[int]
    EXCLUDE_CATEGORIES_FIELD_NUMBER: _ClassVar[int]
    vector: _containers.RepeatedScalarFieldContainer[float]
    exclude_items: _containers.RepeatedScalarFieldContainer[int]
    require_categories: _containers.RepeatedScalarFieldContainer[int]
    exclude_categories: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, vector: _Optional[_Iterable[float]] = ..., exclude_items: _Optional[_Iterable[int]] = ..., require_categories: _Optional[_Iterable[int]] = ..., exclude_categories: _Optional[_Iterable[int]] = ...) -> None: ...

class RetrieveRequest(_message.Message):
    __slots__ = ("k", "queries")
    K_FIELD_NUMBER: _ClassVar[int]
    QUERIES_FIELD_NUMBER: _ClassVar[int]
    k: int
    queries: _containers.RepeatedCompositeFieldContainer[RetrieveQuery]
    def __init__(self, k: _Optional[int] = ..., queries: _Optional[_Iterable[_Union[RetrieveQuery, _Mapping]]] = ...) -> None: ...

class RetrieveResult(_message.Message):
    __slots__ = ("item_ids", "scores")
    ITEM_IDS_FIELD_NUMBER: _ClassVar[int]
    SCORES_FIELD_NUMBER: _ClassVar[int]
    item_ids: _containers.RepeatedScalarFieldContainer[int]
    scores: _containers.RepeatedScalarFieldContainer[float]
    def __init__(self, item_ids: _Optional[_Iterable[int]] = ..., scores: _Optional[_Iterable[float]] = ...) -> None: ...

class RetrieveResponse(_message.Message):
    __slots__ = ("results",)
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[RetrieveResult]
    def __init__(self, results: _Optional[_Iterable[_Union[RetrieveResult, _Mapping]]] = ...) -> None: ...

class RecommendRequest(_message.Message):
    __slots__ = ("history", "prompt", "polarity", "k", "include_history", "parts")
    HISTORY_FIELD_NUMBER: _ClassVar[int]
    PROMPT_FIELD_NUMBER: _ClassVar[int]
    POLARITY_FIELD_NUMBER: _ClassVar[int]
    K_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_HISTORY_FIELD_NUMBER: _ClassVar[int]
    PARTS_FIELD_NUMBER: _ClassVar[int]
    history: History
    prompt: str
    polarity: Polarity
    k: int
    include_history: bool
    parts: _containers.RepeatedCompositeFieldContainer[PromptPart]
    def __init__(self, history: _Optional[_Union[History, _Mapping]] = ..., prompt: _Optional[str] = ..., polarity: _Optional[_Union[Polarity, str]] = ..., k: _Optional[int] = ..., include_history: bool = ..., parts: _Optional[_Iterable[_Union[PromptPart, _Mapping]]] = ...) -> None: ...

class RecommendResponse(_message.Message):
    __slots__ = ("item_ids", "scores", "polarity", "route_confidence", "titles", "categories", "parts")
    ITEM_IDS_FIELD_NUMBER: _ClassVar[int]
    SCORES_FIELD_NUMBER: _ClassVar[int]
    POLARITY_FIELD_NUMBER: _ClassVar[int]
    ROUTE_CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    TITLES_FIELD_NUMBER: _ClassVar[int]
    CATEGORIES_FIELD_NUMBER: _ClassVar[int]
    PARTS_FIELD_NUMBER: _ClassVar[int]
    item_ids: _containers.RepeatedScalarFieldContainer[int]
    scores: _containers.RepeatedScalarFieldContainer[float]
    polarity: Polarity
    route_confidence: float
    titles: _containers.RepeatedScalarFieldContainer[str]
    categories: _containers.RepeatedScalarFieldContainer[str]
    parts: _containers.RepeatedCompositeFieldContainer[PromptPart]
    def __init__(self, item_ids: _Optional[_Iterable[int]] = ..., scores: _Optional[_Iterable[float]] = ..., polarity: _Optional[_Union[Polarity, str]] = ..., route_confidence: _Optional[float] = ..., titles: _Optional[_Iterable[str]] = ..., categories: _Optional[_Iterable[str]] = ..., parts: _Optional[_Iterable[_Union[PromptPart, _Mapping]]] = ...) -> None: ...

class ListBackbonesRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListBackbonesResponse(_message.Message):
    __slots__ = ("backbones", "available")
    BACKBONES_FIELD_NUMBER: _ClassVar[int]
    AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    backbones: _containers.RepeatedCompositeFieldContainer[BackboneInfo]
    available: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, backbones: _Optional[_Iterable[_Union[BackboneInfo, _Mapping]]] = ..., available: _Optional[_Iterable[str]] = ...) -> None: ...

class LoadBackboneRequest(_message.Message):
    __slots__ = ("name", "checkpoint")
    NAME_FIELD_NUMBER: _ClassVar[int]
    CHECKPOINT_FIELD_NUMBER: _ClassVar[int]
    name: str
    checkpoint: str
    def __init__(self, name: _Optional[str] = ..., checkpoint: _Optional[str] = ...) -> None: ...

class LoadBackboneResponse(_message.Message):
    __slots__ = ("backbone",)
    BACKBONE_FIELD_NUMBER: _ClassVar[int]
    backbone: BackboneInfo
    def __init__(self, backbone: _Optional[_Union[BackboneInfo, _Mapping]] = ...) -> None: ...

class SaveSnapshotRequest(_message.Message):
    __slots__ = ("name", "overwrite")
    NAME_FIELD_NUMBER: _ClassVar[int]
    OVERWRITE_FIELD_NUMBER: _ClassVar[int]
    name: str
    overwrite: bool
    def __init__(self, name: _Optional[str] = ..., overwrite: bool = ...) -> None: ...

class SaveSnapshotResponse(_message.Message):
    __slots__ = ("path", "bytes", "backbone", "prompt_cache_entries")
    PATH_FIELD_NUMBER: _ClassVar[int]
    BYTES_FIELD_NUMBER: _ClassVar[int]
    BACKBONE_FIELD_NUMBER: _ClassVar[int]
    PROMPT_CACHE_ENTRIES_FIELD_NUMBER: _ClassVar[int]
    path: str
    bytes: int
    backbone: str
    prompt_cache_entries: int
    def __init__(self, path: _Optional[str] = ..., bytes: _Optional[int] = ..., backbone: _Optional[str] = ..., prompt_cache_entries: _Optional[int] = ...) -> None: ...

class LoadSnapshotRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class LoadSnapshotResponse(_message.Message):
    __slots__ = ("n_items", "dim", "n_categories", "backbone", "prompt_cache_entries")
    N_ITEMS_FIELD_NUMBER: _ClassVar[int]
    DIM_FIELD_NUMBER: _ClassVar[int]
    N_CATEGORIES_FIELD_NUMBER: _ClassVar[int]
    BACKBONE_FIELD_NUMBER: _ClassVar[int]
    PROMPT_CACHE_ENTRIES_FIELD_NUMBER: _ClassVar[int]
    n_items: int
    dim: int
    n_categories: int
    backbone: str
    prompt_cache_entries: int
    def __init__(self, n_items: _Optional[int] = ..., dim: _Optional[int] = ..., n_categories: _Optional[int] = ..., backbone: _Optional[str] = ..., prompt_cache_entries: _Optional[int] = ...) -> None: ...

class StatsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class StatsResponse(_message.Message):
    __slots__ = ("prometheus_text", "requests_total", "errors_total", "in_flight", "connections")
    PROMETHEUS_TEXT_FIELD_NUMBER: _ClassVar[int]
    REQUESTS_TOTAL_FIELD_NUMBER: _ClassVar[int]
    ERRORS_TOTAL_FIELD_NUMBER: _ClassVar[int]
    IN_FLIGHT_FIELD_NUMBER: _ClassVar[int]
    CONNECTIONS_FIELD_NUMBER: _ClassVar[int]
    prometheus_text: str
    requests_total: int
    errors_total: int
    in_flight: int
    connections: int
    def __init__(self, prometheus_text: _Optional[str] = ..., requests_total: _Optional[int] = ..., errors_total: _Optional[int] = ..., in_flight: _Optional[int] = ..., connections: _Optional[int] = ...) -> None: ...
