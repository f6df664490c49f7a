"""Log records never carry personal data: an exception's message can (PostgreSQL's "Key (id_number, cohort)=
(630102…, 2026) already exists", a ValidationError quoting a cell), so only its type and traceback are logged."""

import logging
import traceback


class RedactExceptionMessages(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            exc_type, _, tb = record.exc_info
            frames = "".join(traceback.format_tb(tb))
            record.exc_text = f"Traceback (most recent call last):\n{frames}{exc_type.__module__}.{exc_type.__qualname__}: (message withheld: may hold personal data)"
            record.exc_info = None
        return True
