"""No security test is ever skipped: a skip (or an xfail) in this folder is reported as a failure, so CI cannot pass
while a check of the access matrix, the audit, the login or the encryption did not run."""

import pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.skipped:
        report.outcome = "failed"
        report.longrepr = f"security tests are never skipped ({item.nodeid}): {report.longrepr}"
