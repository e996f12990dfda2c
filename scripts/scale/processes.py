"""Child processes in process groups of their own, all stopped together however the harness ends."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

import psutil

_PR_SET_PDEATHSIG = 1


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now (another process could take it before we do; rare enough)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _die_with_parent() -> None:
    # A `kill -9` of the harness runs no cleanup at all: the kernel then stops our direct children, whose
    # own children (task processes, postgres backends) notice their parent is gone and exit.
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


@dataclass
class Child:
    name: str
    process: subprocess.Popen[bytes]
    log: Path
    stop_signal: signal.Signals

    def tail(self, lines: int = 30) -> str:
        text = self.log.read_text(errors="replace").splitlines() if self.log.exists() else []
        return "\n".join(text[-lines:])


class Supervisor:
    """Starts children each in a new session (so a Ctrl-C on the terminal reaches only us, and we can stop
    each child with everything it forked by signalling its process group), and stops them in reverse order.
    """

    def __init__(self, log_dir: Path, registry: Path) -> None:
        self.log_dir = log_dir
        self.registry = registry  # process groups started, for stop_leftovers() after a `kill -9` of us
        self.children: list[Child] = []

    def start(
        self,
        name: str,
        argv: Sequence[str],
        *,
        env: Mapping[str, str],
        user: str | None = None,
        cwd: Path | None = None,
        stop_signal: signal.Signals = signal.SIGTERM,
    ) -> Child:
        log = self.log_dir / f"{name}.log"
        with log.open("ab") as out:
            process = subprocess.Popen(  # noqa: S603 - our own venv's programs, arguments built here
                list(argv),
                env=dict(env),
                cwd=cwd,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                user=user,
                preexec_fn=_die_with_parent,
            )
        with self.registry.open("a") as registry:
            registry.write(f"{process.pid} {name}\n")
        child = Child(name, process, log, stop_signal)
        self.children.append(child)
        return child

    def check_alive(self) -> None:
        """Fail fast with the log's tail when a server or Airflow component died on its own."""
        for child in list(self.children):  # kill() may change it from another thread
            code = child.process.poll()
            if code is not None:
                raise RuntimeError(f"{child.name} exited with {code}; end of {child.log}:\n{child.tail()}")

    def stop(self, name: str, grace: float = 10.0) -> None:
        """Stop one child (and its group) now, leaving the others running."""
        self._stop([child for child in self.children if child.name == name], grace)

    def kill(self, name: str) -> None:
        """`kill -9` of one child and everything in its group, as a crash or the OOM killer would."""
        for child in [child for child in self.children if child.name == name]:
            # Out of the list first: check_alive(), in another thread, must not take the kill for a crash.
            self.children.remove(child)
            _signal_group(child.process.pid, signal.SIGKILL)
            child.process.wait()

    def stop_all(self, grace: float = 10.0) -> None:
        """Signal every group at once (Celery's warm shutdown alone takes ~14 s), then kill what is left."""
        self._stop(list(reversed(self.children)), grace)

    def _stop(self, children: list[Child], grace: float) -> None:
        for child in children:
            _signal_group(child.process.pid, child.stop_signal)
        deadline = time.monotonic() + grace
        for child in children:
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        for child in children:
            # Also after a clean exit of the leader: children it forked may still hold the group.
            _signal_group(child.process.pid, signal.SIGKILL)
            child.process.wait()
            self.children.remove(child)


def stop_leftovers(registry: Path, marker: str) -> int:
    """Kill what a previous run that could not clean up (`kill -9`) left of its process groups.

    The kernel stops our direct children then (PR_SET_PDEATHSIG), but not what they forked: Celery's pool
    processes, for one, live on. A process counts only if it is still in a recorded group and its command
    line holds `marker` (our venv's path), so a recycled group ID of someone else's is never touched.
    """
    if not registry.exists():
        return 0
    groups = {int(line.split()[0]) for line in registry.read_text().splitlines() if line.strip()}
    killed = 0
    for process in psutil.process_iter(["cmdline"]):
        try:
            if os.getpgid(process.pid) in groups and marker in " ".join(process.info["cmdline"] or ()):
                process.kill()
                killed += 1
        except (psutil.Error, ProcessLookupError):
            continue
    registry.unlink()
    return killed


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


class Interrupted(Exception):
    """SIGTERM or SIGHUP, turned into an exception so `finally` blocks stop the children."""


def raise_on_termination() -> None:
    """Let SIGTERM/SIGHUP unwind like Ctrl-C (SIGINT already raises KeyboardInterrupt)."""

    def handler(signum: int, _frame: FrameType | None) -> None:
        raise Interrupted(signal.Signals(signum).name)

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGHUP, handler)
