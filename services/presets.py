"""The three service standards shipped with the system, each rule citing its notice. Plain data: the data
migration (services/migrations/0003) loads it with the historical models, idempotently."""

from __future__ import annotations

EMPLOYMENT = ["1", "2", "3", "5", "6"]  # 就业意向: 考公务员, 考事业单位, 到企业就业, 基层项目, 应征入伍
ENTREPRENEURSHIP = ["4"]
HARDSHIP = ["1", "2", "3", "T", "L", "S"]  # 零就业家庭, 家庭经济困难, 残疾 and the extra categories

QINGHAI_NOTICE = "青人社厅函〔2017〕490号"
MOHRSS_NOTICE = "人社厅发〔2012〕69号"
JILIN_NOTICE = "吉人社发〔2022〕21号"


def _rule(
    applies_to, codes, service_type, required, unit, length=None, *, citation, anchor="received", fixed=None
):
    return {
        "applies_to": applies_to,
        "codes": list(codes),
        "service_type": service_type,
        "required": required,
        "window_unit": unit,
        "window_length": length,
        "fixed_month": fixed[0] if fixed else None,
        "fixed_day": fixed[1] if fixed else None,
        "anchor": anchor,
        "citation": citation,
    }


_Q3 = f"{QINGHAI_NOTICE} 三：对有就业意愿的，3个月内至少提供1次政策咨询、1次职业指导和3个基本符合其需求的岗位信息，通知或组织其参加两次招聘活动"
_Q3_START = f"{QINGHAI_NOTICE} 三：对有创业意愿的，3个月内至少提供一次创业指导，组织其参加一次创业培训"
_Q3_INTERN = f"{QINGHAI_NOTICE} 三：对有见习需求的，1个月内安排其见习上岗"
_Q3_HARD = f"{QINGHAI_NOTICE} 三：对就业困难的毕业生要提供就业帮扶"
_M2 = f"{MOHRSS_NOTICE} 二（二）：对登记求职的未就业高校毕业生，应在一个月内至少提供三次就业信息"
_J57 = f"{JILIN_NOTICE} 五（七）：对有就业意愿的，开展“1311×N”服务，即至少提供1次职业指导、3次岗位推介、1次技能培训和1次就业见习机会（至届别当年12月31日）"

PRESETS: list[dict] = [
    {
        "code": "qinghai",
        "name": "青海省离校未就业高校毕业生服务标准",
        "notice": QINGHAI_NOTICE,
        "rules": [
            _rule("intention", EMPLOYMENT, "policy", 1, "months", 3, citation=_Q3),
            _rule("intention", EMPLOYMENT, "guidance", 1, "months", 3, citation=_Q3),
            _rule("intention", EMPLOYMENT, "job_referral", 3, "months", 3, citation=_Q3),
            _rule("intention", EMPLOYMENT, "recruitment", 2, "months", 3, citation=_Q3),
            _rule("intention", ENTREPRENEURSHIP, "startup_guidance", 1, "months", 3, citation=_Q3_START),
            _rule("intention", ENTREPRENEURSHIP, "startup_training", 1, "months", 3, citation=_Q3_START),
            _rule("need", ["4"], "internship", 1, "months", 1, citation=_Q3_INTERN),
            _rule("hardship", HARDSHIP, "one_on_one", 1, "months", 3, citation=_Q3_HARD),
        ],
    },
    {
        "code": "mohrss",
        "name": "人社部离校未就业高校毕业生服务标准",
        "notice": MOHRSS_NOTICE,
        "rules": [
            _rule(
                "job_seeking", [], "job_referral", 3, "months", 1, citation=_M2, anchor="first_job_seeking"
            ),
        ],
    },
    {
        "code": "jilin",
        "name": "吉林省“1311×N”服务标准",
        "notice": JILIN_NOTICE,
        "rules": [
            _rule("intention", EMPLOYMENT, "guidance", 1, "fixed", citation=_J57, fixed=(12, 31)),
            _rule("intention", EMPLOYMENT, "job_referral", 3, "fixed", citation=_J57, fixed=(12, 31)),
            _rule("intention", EMPLOYMENT, "training", 1, "fixed", citation=_J57, fixed=(12, 31)),
            _rule("intention", EMPLOYMENT, "internship", 1, "fixed", citation=_J57, fixed=(12, 31)),
        ],
    },
]

# The preset a province starts with active, by its 2-digit code (the demo province Qinghai: qinghai).
DEFAULT_ACTIVE = {"63": "qinghai", "22": "jilin"}


def load_presets(standard_model, rule_model, province: str) -> None:
    """Create the presets missing from the database (an existing one is left as the province edited it) and
    activate the province's default when it has no active standard. Running it again changes nothing."""
    for preset in PRESETS:
        standard, created = standard_model.objects.get_or_create(
            code=preset["code"],
            defaults={"name": preset["name"], "notice": preset["notice"], "province": province},
        )
        if created:
            rule_model.objects.bulk_create(
                rule_model(standard=standard, position=position, **rule)
                for position, rule in enumerate(preset["rules"], start=1)
            )
    if not standard_model.objects.filter(province=province, is_active=True).exists():
        code = DEFAULT_ACTIVE.get(province, "mohrss")
        standard_model.objects.filter(code=code).update(is_active=True, province=province)
