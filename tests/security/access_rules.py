"""The access matrix's rules: for every route, the request made and the status each persona must get."""

from __future__ import annotations

from tests.security.access import UNKNOWN_JOB, Rule


def pk(kind: str, key: str = "pk"):
    def kwargs(world, target):
        found = world[kind].get(target)
        return None if found is None else {key: found.pk}

    return kwargs


GRADUATE = pk("graduate")
OBJECT_ROUTES = {
    "graduates:detail": GRADUATE, "graduates:edit": GRADUATE, "graduates:state": GRADUATE,
    "graduates:visit": GRADUATE,
    "roster:detail": pk("upload"), "roster:commit": pk("upload"), "roster:cancel": pk("upload"),
    "roster:invalid_rows": pk("upload"),
    "transfers:new": pk("graduate", "graduate_id"), "transfers:accept": pk("transfer"),
    "transfers:reject": pk("transfer"), "transfers:cancel": pk("transfer"),
    "handover:dispatch": pk("batch"), "handover:contact": GRADUATE,
    "services:specialist": GRADUATE, "services:record": GRADUATE, "services:void": pk("service"),
    "services:recommend": lambda w, t: {"pk": w["graduate"][t].pk, "posting_pk": w["posting"][t].pk},
    "reporting:download": pk("monthly"), "reporting:weekly_snapshot": pk("weekly"),
    "reporting:monthly_job": lambda w, t: {"job_id": UNKNOWN_JOB},
    "reporting:feedback_download": pk("universities", "university_id"),
    "selfreg:contacted": pk("selfreg"), "selfreg:conflict": pk("selfreg"),
    "graduate-detail": GRADUATE, "graduate-visits": GRADUATE, "plan-detail": GRADUATE,
    "service-detail": pk("service"), "service-void": pk("service"),
    "handover-batch-detail": pk("batch"), "handover-item-detail": pk("item"),
    "transfer-detail": pk("transfer"), "transfer-accept": pk("transfer"), "transfer-reject": pk("transfer"),
    "transfer-cancel": pk("transfer"),
    "roster-upload-detail": pk("upload"), "roster-upload-cancel": pk("upload"),
    "roster-upload-commit": pk("upload"),
    "job-posting-detail": pk("posting"), "recruitment-event-detail": pk("event"),
    "monthly-snapshot-detail": pk("monthly"), "monthly-snapshot-download": pk("monthly"),
}  # fmt: skip

# route, object (A, B or - for none), method, then the status for each persona in PERSONAS' order:
#     anon sheng xining chengdong haidong jiaoyu qhu
# An API POST sends an empty JSON object; a page POST an empty form: allowed personas get 400 or a redirect back
# with the form's message (302); nothing a POST changes is kept (each request is rolled back).
TABLE = """
<unnamed:/api/v1/^.*$>             - get  404 404 404 404 404 404 404
<unnamed:/handover/reports/>       - get  301 301 301 301 301 301 301
<unnamed:/handover/reports/mohrss.xlsx> - get  301 301 301 301 301 301 301
<unnamed:/handover/reports/weekly.xlsx> - get  301 301 301 301 301 301 301
api-docs                           - get  200 200 200 200 200 200 200
api-schema                         - get  200 200 200 200 200 200 200
api-self-registrations             - get  200 200 200 200 200 200 200
graduate-detail                    A get  401 200 200 200 404 200 200
graduate-detail                    B get  401 200 404 404 200 200 404
graduate-list                      - get  401 200 200 200 200 200 200
graduate-lookup                    - post 401 400 400 400 400 400 400
graduate-visits                    A get  401 200 200 200 404 200 200
graduate-visits                    B get  401 200 404 404 200 200 404
graduates:bulk                     - post 302 302 302 302 302 403 403
graduates:create                   - get  302 200 200 200 200 403 403
graduates:detail                   A get  302 200 200 200 404 200 200
graduates:detail                   B get  302 200 404 404 200 200 404
graduates:edit                     A get  302 200 200 200 404 403 403
graduates:edit                     B get  302 200 404 404 200 403 403
graduates:list                     - get  302 200 200 200 200 200 200
graduates:prefill                  - post 302 302 302 302 302 403 403
graduates:search                   - post 302 302 302 302 302 302 302
graduates:state                    A post 302 302 302 302 404 403 403
graduates:state                    B post 302 302 404 404 302 403 403
graduates:visit                    A post 302 400 400 400 404 403 403
graduates:visit                    B post 302 400 404 404 400 403 403
handover-batch-detail              A get  401 200 404 404 404 404 404
handover-batch-list                - get  401 200 200 200 200 200 200
handover-item-acknowledge          - post 401 200 200 200 200 403 403
handover-item-detail               A get  401 200 200 200 404 404 404
handover-item-detail               B get  401 200 404 404 200 404 404
handover-item-list                 - get  401 200 200 200 200 200 200
handover:acknowledge               - post 302 302 302 302 302 403 403
handover:contact                   A post 302 302 302 302 404 403 403
handover:contact                   B post 302 302 404 404 302 403 403
handover:dispatch                  A post 302 302 404 404 404 403 403
handover:education                 - get  302 403 403 403 403 200 403
handover:home                      - get  302 200 200 200 200 403 403
handover:pass_down                 - post 302 403 302 403 302 403 403
handover:report_in                 - get  302 200 200 200 200 403 403
handover:unassigned                - get  302 200 403 403 403 403 403
handover:unreachable_answers       - post 302 302 302 302 302 403 403
handover:unreachable_export        - get  302 200 200 200 200 403 403
handover:worklist                  - get  302 200 200 200 200 403 403
healthz                            - get  200 200 200 200 200 200 200
favicon                            - get  302 302 302 302 302 302 302
home                               - get  302 200 200 200 200 200 200
job-posting-detail                 A get  401 200 200 404 404 404 404
job-posting-detail                 B get  401 200 404 404 200 404 404
job-posting-list                   - get  401 200 200 200 200 200 200
login                              - get  200 302 302 302 302 302 302
monthly-snapshot-detail            A get  401 200 200 200 404 404 404
monthly-snapshot-detail            B get  401 200 404 404 200 404 404
monthly-snapshot-download          A get  401 200 200 200 404 404 404
monthly-snapshot-download          B get  401 200 404 404 200 404 404
monthly-snapshot-list              - get  401 200 200 200 200 200 200
notifications                      - get  302 200 200 200 200 200 200
plan-detail                        A get  401 200 200 200 404 403 403
plan-detail                        B get  401 200 404 404 200 403 403
plan-worklist                      - get  401 200 200 200 200 403 403
recruitment-event-detail           A get  401 200 200 404 404 404 404
recruitment-event-detail           B get  401 200 404 404 200 404 404
recruitment-event-list             - get  401 200 200 200 200 200 200
reporting:download                 A get  302 200 200 200 404 403 403
reporting:download                 B get  302 200 404 404 200 403 403
reporting:feedback                 - get  302 200 403 403 403 200 200
reporting:feedback_download        A get  302 200 404 404 404 200 200
reporting:feedback_download        B get  302 200 404 404 404 200 404
reporting:feedback_zip             - get  302 200 404 404 404 200 404
reporting:mohrss                   - get  302 200 403 403 403 403 403
reporting:monthly                  - get  302 200 200 200 200 403 403
reporting:monthly_job              A get  302 404 404 404 404 403 403
reporting:monthly_job              B get  302 404 404 404 404 403 403
reporting:progress                 - get  302 200 200 200 200 403 403
reporting:statistics               - get  302 200 200 200 200 200 403
reporting:statistics_download      - get  302 200 200 200 200 200 403
reporting:weekly                   - get  302 200 200 200 200 403 403
reporting:weekly_snapshot          A get  302 200 200 200 404 403 403
reporting:weekly_snapshot          B get  302 200 404 404 200 403 403
reporting:weekly_submit            - post 302 302 302 302 302 403 403
roster-upload-cancel               A post 401 200 403 200 404 404 404
roster-upload-cancel               B post 401 400 404 404 400 404 404
roster-upload-commit               A post 401 403 403 200 404 404 404
roster-upload-commit               B post 401 403 404 404 400 404 404
roster-upload-detail               A get  401 200 200 200 404 404 404
roster-upload-detail               B get  401 200 404 404 200 404 404
roster-upload-list                 - get  401 200 200 200 200 200 200
roster:cancel                      A post 302 302 302 302 404 404 404
roster:cancel                      B post 302 302 404 404 302 404 404
roster:commit                      A post 302 302 302 302 404 404 404
roster:commit                      B post 302 302 404 404 302 404 404
roster:detail                      A get  302 200 200 200 404 404 404
roster:detail                      B get  302 200 404 404 200 404 404
roster:invalid_rows                A get  302 200 200 200 404 404 404
roster:invalid_rows                B get  302 200 404 404 200 404 404
roster:list                        - get  302 200 200 200 200 200 200
roster:template                    - get  302 200 200 200 200 200 200
roster:universities                - get  302 200 200 200 200 200 200
security:otp_setup                 - get  302 200 200 200 200 200 200
security:otp_verify                - get  302 302 302 302 302 302 302
security:password_change           - get  302 200 200 200 200 200 200
security:password_changed          - get  302 200 200 200 200 200 200
security:recovery_codes            - get  302 200 302 302 302 302 302
self_register                      - get  200 200 200 200 200 200 200
selfreg:conflict                   A post 302 302 302 302 404 403 403
selfreg:conflict                   B post 302 302 404 404 302 403 403
selfreg:contacted                  A post 302 302 302 302 404 403 403
selfreg:contacted                  B post 302 302 404 404 302 403 403
selfreg:worklist                   - get  302 200 200 200 200 403 403
service-detail                     A get  401 200 200 200 404 404 404
service-detail                     B get  401 200 404 404 200 404 404
service-list                       - get  401 200 200 200 200 200 200
service-void                       A post 401 400 400 400 404 403 403
service-void                       B post 401 400 404 404 400 403 403
services:bulk                      - get  302 200 200 200 200 403 403
services:compliance                - get  302 200 200 200 200 403 403
services:events                    - get  302 200 200 200 200 403 403
services:ledger                    - get  302 200 200 200 200 403 403
services:log                       - get  302 200 200 200 200 403 403
services:plans                     - get  302 200 200 200 200 403 403
services:postings                  - get  302 200 200 200 200 403 403
services:recommend                 A post 302 302 302 302 404 403 403
services:recommend                 B post 302 302 404 404 302 403 403
services:record                    A post 302 302 302 302 404 403 403
services:record                    B post 302 302 404 404 302 403 403
services:specialist                A post 302 302 302 302 404 403 403
services:specialist                B post 302 302 404 404 302 403 403
services:void                      A post 302 302 302 302 404 403 403
services:void                      B post 302 302 404 404 302 403 403
transfer-accept                    A post 401 200 200 404 404 403 403
transfer-accept                    B post 401 200 404 404 200 403 403
transfer-cancel                    A post 401 200 200 200 404 403 403
transfer-cancel                    B post 401 200 404 404 200 403 403
transfer-detail                    A get  401 200 200 200 404 404 404
transfer-detail                    B get  401 200 404 404 200 404 404
transfer-list                      - get  401 200 200 200 200 200 200
transfer-reject                    A post 401 400 400 404 404 403 403
transfer-reject                    B post 401 400 404 404 400 403 403
transfers:accept                   A post 302 302 302 404 404 403 403
transfers:accept                   B post 302 302 404 404 302 403 403
transfers:cancel                   A post 302 302 302 302 404 403 403
transfers:cancel                   B post 302 302 404 404 302 403 403
transfers:list                     - get  302 200 200 200 200 403 403
transfers:new                      A get  302 200 200 200 404 403 403
transfers:new                      B get  302 200 404 404 200 403 403
transfers:reject                   A post 302 302 302 404 404 403 403
transfers:reject                   B post 302 302 404 404 302 403 403
logout                             - post 302 302 302 302 302 302 302
"""


def _rules() -> dict[str, Rule]:
    rules: dict[str, Rule] = {}
    for line in TABLE.strip().splitlines():
        name, target, method, *codes = line.split()
        rule = rules.setdefault(name, Rule(expect={}, method=method, kwargs=OBJECT_ROUTES.get(name)))
        rule.expect[target] = " ".join(codes)
        if name.startswith("<unnamed:/api/"):
            rule.path = "/api/v1/no-such-thing/"
        elif name.startswith("<unnamed "):
            rule.path = name.removeprefix("<unnamed ").removesuffix(">")
    return rules


RULES = _rules()
