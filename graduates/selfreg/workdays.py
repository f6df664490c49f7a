"""Working days: Monday to Friday, less China's official holidays and plus the make-up working days (调休) that
the State Council announces each year, as the chinese-calendar package carries them (2004 to its latest year).
Beyond that, Saturdays and Sundays are the days off."""

from __future__ import annotations

import datetime

import chinese_calendar


def is_working_day(day: datetime.date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:  # a year the package has no announcement for yet
        return day.weekday() < 5


def next_working_day(day: datetime.date) -> datetime.date:
    """The first working day after DAY."""
    day += datetime.timedelta(days=1)
    for _ in range(40):  # the longest break (Spring Festival, National Day) is far shorter
        if is_working_day(day):
            return day
        day += datetime.timedelta(days=1)
    return day


def contact_due_on(received: datetime.date) -> datetime.date:
    """一个工作日内联系: a request received on any day is due by the end of the next working day (Friday's and the
    weekend's by Monday's)."""
    return next_working_day(received)
