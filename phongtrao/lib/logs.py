"""Log records as JSON lines (one object a line on stdout), for a log collector to read without parsing text.

``LOGGING`` in the settings names :class:`JsonFormatter` when ``LOG_FORMAT=json`` (the default outside
``DEBUG``); the production server (``phongtrao serve``) hands the same configuration to granian, so its
own messages and its access log are JSON lines too.
"""

from __future__ import annotations

import datetime
import json
import logging
from collections.abc import Mapping
from typing import Any

# Attributes of every LogRecord: not copied again as "extra" fields.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}
# Extra values worth keeping when they are plain (Django's request logger adds status_code and request).
_PLAIN = (str, int, float, bool, type(None))


class JsonFormatter(logging.Formatter):
    """``{"time", "level", "logger", "message", ...}``: the record's plain extras and, for a record whose
    arguments are a mapping (granian's access log), those fields (method, path, status, dt_ms ...)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if isinstance(record.args, Mapping):
            entry.update({str(k): v for k, v in record.args.items() if isinstance(v, _PLAIN) and str(k) not in entry})
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in entry and isinstance(value, _PLAIN):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
