"""Fixtures: one steerd for the session with the shipped SASRec DPR model loaded, and clients."""
from __future__ import annotations

from typing import Dict, Iterator

import pytest

from steer_client import SteerClient
from steerd import MODEL_NAME, Steerd

#: Figures the tests measure, printed at the end of the run (e.g. the 10,000-request pipelining).
TIMINGS: Dict[str, str] = {}


@pytest.fixture(scope="session")
def steerd() -> Iterator[Steerd]:
    try:
        daemon = Steerd()
    except RuntimeError as error:  # what is missing and what to run; a failure, never a skip
        pytest.fail(str(error), pytrace=False)
    try:
        with SteerClient(daemon.socket, default_timeout=300) as client:
            daemon.backbone = client.load_backbone("SASRec", MODEL_NAME)
        yield daemon
    finally:
        daemon.stop()


@pytest.fixture
def client(steerd: Steerd) -> Iterator[SteerClient]:
    with SteerClient(steerd.socket, default_timeout=120) as c:
        yield c


@pytest.fixture(scope="session")
def timings() -> Dict[str, str]:
    return TIMINGS


def pytest_terminal_summary(terminalreporter) -> None:
    for name, figure in TIMINGS.items():
        terminalreporter.write_line(f"{name}: {figure}")
