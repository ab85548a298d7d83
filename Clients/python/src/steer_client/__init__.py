"""Python client for steerd, Steer's promptable recommender daemon.

Two clients speak steerd's protocol (length-prefixed protobuf over a Unix socket):
:class:`SteerClient` blocks, one call at a time; :class:`AsyncSteerClient` (asyncio) pipelines
any number of calls on one connection. Both have the same twelve RPC methods, return numpy
arrays for vectors, matrices, ids and scores, and raise :mod:`steer_client.errors` classes.
"""
from ._rpcs import DEFAULT_TIMEOUT
from .aio import AsyncSteerClient
from .client import SteerClient, default_socket_path
from .errors import *  # noqa: F401,F403 (every error class is part of the API)
from .errors import RPCError, StatusCode, SteerError
from .types import (BackboneInfo, Backbones, Embeddings, Health, LoadedSnapshot, Method, Polarity, PromptPart,
                    Recommendation, RetrieveQuery, RetrieveResult, RouteResult, SavedSnapshot, Stats)

__version__ = "0.1.0"

