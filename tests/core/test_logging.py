"""Exception messages can quote personal data (a duplicate key's ID number): logs keep only type and traceback."""

import logging

from core.logging import RedactExceptionMessages


def formatted_by_console(record: logging.LogRecord) -> str:
    handler = next(
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, RedactExceptionMessages) for f in h.filters)
    )
    assert handler.filter(record)
    return handler.format(record)


def test_an_exception_message_with_an_id_number_never_reaches_the_log():
    secret = "Key (id_number, cohort)=(630102200304151234, 2026) already exists."
    try:
        raise ValueError(secret)
    except ValueError:
        import sys

        record = logging.getLogger("graduates.tasks").makeRecord(
            "graduates.tasks", logging.ERROR, __file__, 1, "roster %s: commit failed", (7,), sys.exc_info()
        )
    text = formatted_by_console(record)
    assert "roster 7: commit failed" in text
    assert "ValueError" in text and "test_logging.py" in text  # type and traceback stay
    assert "630102200304151234" not in text and "already exists" not in text


def test_django_request_errors_go_through_the_same_filter():
    logger = logging.getLogger("django.request")
    assert not logger.propagate
    assert any(any(isinstance(f, RedactExceptionMessages) for f in h.filters) for h in logger.handlers)
