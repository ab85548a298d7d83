"""A real steerd for the tests: `steer serve` of the built executable on a temporary socket.

The executable is $STEER_BIN, else the repository's debug build (.build/debug/steer, what
`make test` builds); the sentence encoder is MiniLM from $STEER_CACHE (what `make setup`
fetches); the model is the promptable SASRec the repository ships (Models/ml-1m-sasrec-dpr.snap).
Anything missing fails the tests with what to run, never skips them.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import List, Optional

REPO = Path(__file__).resolve().parents[3]
MODEL = REPO / "Models" / "ml-1m-sasrec-dpr.snap"
MODEL_NAME = MODEL.name


def steer_executable() -> Path:
    return Path(os.environ.get("STEER_BIN") or REPO / ".build" / "debug" / "steer")


def encoder_folder() -> Path:
    cache = Path(os.environ.get("STEER_CACHE") or Path.home() / ".cache" / "steer")
    return cache / "models" / "all-MiniLM-L6-v2"


def missing_prerequisites() -> List[str]:
    problems = []
    if not os.access(steer_executable(), os.X_OK):
        problems.append(f"no steer executable at {steer_executable()} (run `swift build` or set STEER_BIN)")
    if not (encoder_folder() / "config.json").exists():
        problems.append(f"no MiniLM encoder in {encoder_folder()} (run `make setup`)")
    if not MODEL.exists():
        problems.append(f"no model at {MODEL}")
    return problems


class Steerd:
    """One `steer serve` child with its own folder, socket and snapshot folder (holding the model)."""

    def __init__(self, extra: Optional[List[str]] = None, start_seconds: float = 120.0):
        problems = missing_prerequisites()
        if problems:
            raise RuntimeError("cannot start steerd: " + "; ".join(problems))
        # /tmp, not pytest's tmp_path: a Unix socket path must stay under 108 bytes.
        self.folder = Path(tempfile.mkdtemp(prefix="steer-py-", dir="/tmp"))
        self.snapshots = self.folder / "snapshots"
        self.snapshots.mkdir()
        shutil.copy(MODEL, self.snapshots / MODEL_NAME)
        self.socket = str(self.folder / "steerd.sock")
        self.log = open(self.folder / "steerd.log", "w+")
        arguments = [str(steer_executable()), "serve", "--socket", self.socket, "--snapshot-dir", str(self.snapshots),
                     "--encoder", str(encoder_folder()), "--log-level", "error"] + (extra or [])
        try:
            self.process = subprocess.Popen(arguments, stdout=self.log, stderr=subprocess.STDOUT)
        except OSError:
            self.log.close()
            shutil.rmtree(self.folder, ignore_errors=True)
            raise
        self._wait_listening(start_seconds)

    def _wait_listening(self, seconds: float) -> None:
        give_up = time.monotonic() + seconds
        while time.monotonic() < give_up:
            if self.process.poll() is not None:
                raise RuntimeError(f"steerd exited with {self.process.returncode} before listening: {self.output()}")
            probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                probe.connect(self.socket)
                return
            except OSError:
                time.sleep(0.05)
            finally:
                probe.close()
        self.stop()
        raise RuntimeError(f"steerd did not listen on {self.socket} within {seconds} s: {self.output()}")

    def output(self) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read()[-4000:]

    def kill(self) -> None:
        """SIGKILL: the daemon vanishes mid-request, as after a crash."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        shutil.rmtree(self.folder, ignore_errors=True)
