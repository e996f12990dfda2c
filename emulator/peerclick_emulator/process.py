"""Run the emulator as a child process on a free port: for tests, benchmarks and the demo."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
from typing import Any

import requests

from peerclick_emulator.config import DEFAULT_ACCESS_ID, DEFAULT_ACCESS_KEY

URL_LINE_PREFIX = "PEERCLICK_EMULATOR_URL="
START_TIMEOUT = 30.0


class EmulatorProcess:
    """One `python -m peerclick_emulator --port 0` subprocess, and a client for it."""

    def __init__(
        self,
        *extra_args: str,
        access_id: str = DEFAULT_ACCESS_ID,
        access_key: str = DEFAULT_ACCESS_KEY,
        seed: int = 42,
    ) -> None:
        self.access_id = access_id
        self.access_key = access_key
        args = [sys.executable, "-m", "peerclick_emulator", "--port", "0"]
        # With "=": a key may begin with "-", which argparse would take for an option.
        args += [f"--access-id={access_id}", f"--access-key={access_key}", "--seed", str(seed), *extra_args]
        self.stderr = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the process; closed in stop()
        # Our own interpreter and module, with arguments from the caller of this test helper.
        self.process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.stderr, text=True)  # noqa: S603
        self._lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._drain_stdout, daemon=True).start()
        self.base_url = self._wait_for_url()
        self.root_url = self.base_url.rsplit("/", 1)[0]

    def __enter__(self) -> EmulatorProcess:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _drain_stdout(self) -> None:
        # Keep reading after the URL line, so a verbose emulator never blocks on a full pipe.
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._lines.put(line.strip())
        self._lines.put(None)

    def _wait_for_url(self) -> str:
        try:
            while True:
                line = self._lines.get(timeout=START_TIMEOUT)
                if line is None:
                    raise RuntimeError(f"emulator exited before listening:\n{self.stderr_text()}")
                if line.startswith(URL_LINE_PREFIX):
                    return line.removeprefix(URL_LINE_PREFIX)
        except queue.Empty:
            message = f"emulator did not announce its URL within {START_TIMEOUT} s:\n{self.stderr_text()}"
            self.stop()
            raise RuntimeError(message) from None
        except BaseException:
            self.stop()
            raise

    def stderr_text(self) -> str:
        self.stderr.seek(0)
        return self.stderr.read().decode(errors="replace")[-4000:]

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.stderr.close()
        return self.process.returncode

    def control(self, method: str, name: str, **kwargs: Any) -> dict[str, Any]:
        """Call a `/__emulator__/` endpoint, e.g. `control("GET", "stats")`."""
        response = requests.request(method, f"{self.root_url}/__emulator__/{name}", timeout=10, **kwargs)
        response.raise_for_status()
        return response.json()

    def stats(self) -> dict[str, Any]:
        return self.control("GET", "stats")

    def connection_json(self, **extra: Any) -> str:
        """The value of an `AIRFLOW_CONN_...` variable for this emulator's account."""
        conn: dict[str, Any] = {
            "conn_type": "peerclick",
            "login": self.access_id,
            "password": self.access_key,
            "host": self.base_url,
        }
        if extra:
            conn["extra"] = extra
        return json.dumps(conn)

    def connection_env(self, conn_id: str = "peerclick_default", **extra: Any) -> dict[str, str]:
        return {f"AIRFLOW_CONN_{conn_id.upper()}": self.connection_json(**extra), **_no_proxy()}


def _no_proxy() -> dict[str, str]:
    # A proxy set for the machine must not sit between Airflow and a loopback emulator.
    hosts = ",".join(filter(None, [os.environ.get("NO_PROXY"), "127.0.0.1,localhost"]))
    return {"NO_PROXY": hosts, "no_proxy": hosts}
