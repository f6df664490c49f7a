"""Filter sets whose query parameters are exactly what the schema says: one value each, a boolean ``true`` or
``false`` (or empty: not filtered, as core.api.schema.empty_query_values documents). django-filter alone reads
``?valid=null`` as "no filter" and ``?a=1&a=2`` as its last value, answering 200 to a request the schema calls
invalid; these answer 400 naming the parameter.

    class BatchFilter(StrictFilterSet): ...      # then filter_backends = [DjangoFilterBackend]
"""

from __future__ import annotations

import django_filters

MSG_ONE_VALUE = "只能给出一个值。"
MSG_BOOLEAN = "应为 true 或 false。"


class StrictFilterSet(django_filters.FilterSet):
    def is_valid(self) -> bool:
        valid = super().is_valid()
        problems = self.parameter_errors()
        for name, message in problems.items():
            self.form.add_error(name, message)
        return valid and not problems

    def parameter_errors(self) -> dict[str, str]:
        data = self.data
        problems = {}
        for name, declared in self.filters.items():
            if name not in data:
                continue
            values = data.getlist(name) if hasattr(data, "getlist") else [data[name]]
            if len(values) > 1:
                problems[name] = MSG_ONE_VALUE
            elif isinstance(declared, django_filters.BooleanFilter) and values[0] not in (
                "true",
                "false",
                "",
            ):
                problems[name] = MSG_BOOLEAN
        return problems
