"""``phongtrao serve``: the production server. granian (WSGI) with a worker process per CPU, the task worker
beside it, JSON-line logs on stdout; static files come from WhiteNoise (run ``phongtrao collectstatic`` first).

    phongtrao serve [--host 127.0.0.1] [--port 8000] [--workers N] [--threads T] [--no-task-worker]

The defaults come from the environment (``HOST``, ``PORT``, ``WEB_WORKERS``: the CPUs this process may use,
``WEB_THREADS``: 4 threads per worker). Each thread may hold a database connection, so PostgreSQL needs
``workers × threads`` connections per app server, plus one for the task worker (docs/deploy.md).
The task worker (``phongtrao db_worker``) is started again if it stops; ``--no-task-worker`` leaves it to a
unit of its own (deploy/systemd/phongtrao-worker.service). SIGTERM or SIGINT stops both.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

TARGET = "phongtrao.wsgi:application"
# The access log: a short message; the JSON formatter adds each field (method, path, status, dt_ms, addr ...).
ACCESS_FORMAT = '%(addr)s "%(method)s %(path)s %(protocol)s" %(status)d %(dt_ms).1f ms'
WORKER_RESTART_SECONDS = 5.0


def default_workers() -> int:
    if os.environ.get("WEB_WORKERS"):
        return max(1, int(os.environ["WEB_WORKERS"]))
    return max(1, os.process_cpu_count() or 1)


class TaskWorker:
    """``phongtrao db_worker`` as a child process, started again after it stops until :meth:`stop`."""

    def __init__(self, stdout: Any) -> None:
        self.stdout = stdout
        self.stopping = threading.Event()
        self.process: subprocess.Popen[bytes] | None = None
        self.thread = threading.Thread(target=self._keep_running, name="task-worker", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def _keep_running(self) -> None:
        while not self.stopping.is_set():
            self.process = subprocess.Popen(
                [sys.executable, "-m", "phongtrao", "db_worker", "--no-reload", "--no-startup-delay"])
            code = self.process.wait()
            if self.stopping.wait(WORKER_RESTART_SECONDS):
                return
            self.stdout.write(f"task worker exited with status {code}; starting it again")

    def stop(self) -> None:
        self.stopping.set()
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()


class Command(BaseCommand):
    help = "Serve phongtrao in production: granian with one worker per CPU, and the task worker."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"),
                            help="address to listen on (HOST; default 127.0.0.1, 0.0.0.0 in a container)")
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")), help="PORT; default 8000")
        parser.add_argument("--workers", type=int, default=default_workers(),
                            help="worker processes (WEB_WORKERS; default: the number of CPUs)")
        parser.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", "4")),
                            help="threads per worker (WEB_THREADS; default 4)")
        parser.add_argument("--no-task-worker", action="store_true",
                            help="do not start the task worker (it runs elsewhere)")

    def handle(self, *args: Any, **options: Any) -> None:
        from granian import Granian
        from granian.constants import Interfaces

        server = Granian(TARGET, address=options["host"], port=options["port"], interface=Interfaces.WSGI,
                         workers=options["workers"], blocking_threads=options["threads"],
                         log_dictconfig=settings.LOGGING, log_access=True, log_access_format=ACCESS_FORMAT,
                         respawn_failed_workers=True, workers_kill_timeout=30)
        worker = None if options["no_task_worker"] else TaskWorker(self.stdout)
        if worker is not None:
            worker.start()
        try:
            server.serve()
        finally:
            if worker is not None:
                worker.stop()
