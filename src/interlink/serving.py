"""`interlink serve`: uvicorn, one process or a supervisor with N workers.

Two things differ from plain `uvicorn.run`:
- the supervisor waits `worker_healthcheck_seconds` for a worker's health ping (uvicorn's
  default, 5 s, kills a worker that is still importing the app and building its screening
  index on a busy machine, then starts another that meets the same fate);
- it says why it replaces a worker (exit code, signal, or no answer to the ping).

uvicorn's own X-Forwarded-For handling is off: the app applies `trusted_proxies` itself, so
tests and every server read the client address the same way (app.py).
"""

from __future__ import annotations

import logging
import signal

import uvicorn
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors.multiprocess import Multiprocess, Process

from interlink.config import Settings

log = logging.getLogger("interlink.serve")
APP_FACTORY = "interlink.app:app_from_env"


def server_config(settings: Settings, *, host: str, port: int, workers: int) -> uvicorn.Config:
    return uvicorn.Config(
        APP_FACTORY,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=None,
        proxy_headers=False,
        timeout_worker_healthcheck=settings.worker_healthcheck_seconds,
    )


def _exit_reason(exitcode: int | None) -> str:
    if exitcode is None:
        return "ended"
    if exitcode < 0:
        try:
            return f"was killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"was killed by signal {-exitcode}"
    return f"exited with code {exitcode}"


class Supervisor(Multiprocess):
    """uvicorn's supervisor, with a log line that says why a worker is replaced."""

    def keep_subprocess_alive(self) -> None:
        if self.should_exit.is_set():
            return
        timeout = self.config.timeout_worker_healthcheck
        for index, process in enumerate(self.processes):
            if not process.process.is_alive():
                reason = _exit_reason(process.exitcode)
            elif not process.ping(timeout):
                reason = f"did not answer the health ping within {timeout} s (hung)"
            else:
                continue
            process.kill()
            process.join()
            if process.exitcode == STARTUP_FAILURE:
                log.error(
                    "worker %s failed to start (the app, socket or TLS is broken); stopping",
                    process.pid,
                )
                self.should_exit.set()
                return
            if self.should_exit.is_set():
                return
            replacement = Process(self.config, self.sockets)
            replacement.start()
            self.processes[index] = replacement
            log.warning(
                "worker %s %s; started worker %s in its place", process.pid, reason, replacement.pid
            )


def run(settings: Settings, *, host: str, port: int, workers: int) -> None:
    config = server_config(settings, host=host, port=port, workers=workers)
    if workers == 1:
        uvicorn.Server(config).run()
        return
    Supervisor(config, sockets=[config.bind_socket()]).run()
