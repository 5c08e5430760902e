"""The project's Celery worker, for the fault tests that kill it.

FAULTS_VISIBILITY_TIMEOUT (seconds) shortens how long Redis keeps a delivered, unacknowledged
task before another worker may take it: production waits CELERY_TASK_TIME_LIMIT + 300 s after a
worker vanished; a test stands for that wait with a few seconds.

    python tests/faults/worker.py worker --pool=prefork -c 1 -Q <queue>
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from mcn_portal.celery import app

if __name__ == "__main__":
    if timeout := os.environ.get("FAULTS_VISIBILITY_TIMEOUT"):
        app.conf.broker_transport_options = {
            **app.conf.broker_transport_options,
            "visibility_timeout": int(timeout),
        }
    app.worker_main(sys.argv[1:])
