"""学科门类 of a major. The record keeps 所学专业 as free text (annex 1 asks for the name, not a code), so the broad
discipline is looked up by name: the names of the national catalogues (普通高等学校本科专业目录, 研究生学科目录,
职业教育专业目录) this province's rosters use, then keywords of the catalogues' naming habits. Vocational (专科)
majors are placed in the undergraduate 门类 closest to them (护理 → 医学, 会计 → 管理学). A name neither finds is
counted as 未归类, so the page shows how much is left unsorted instead of guessing."""

from __future__ import annotations

import re

DISCIPLINES = (
    "哲学", "经济学", "法学", "教育学", "文学", "历史学", "理学", "工学", "农学", "医学", "军事学", "管理学",
    "艺术学", "交叉学科",
)  # fmt: skip
UNSORTED = "未归类"

_BY_NAME: dict[str, str] = {}
for _discipline, _names in {
    "哲学": "哲学 逻辑学 宗教学",
    "经济学": "经济学 金融学 国际经济与贸易 财政学 税收学 保险学 投资学 经济统计学 金融工程 国际商务 金融服务与管理",
    "法学": "法学 思想政治教育 马克思主义理论 社会工作 社会学 民族学 政治学与行政学 侦查学 治安学 刑事执行 "
    "法律事务 社区管理与服务 公安学",
    "教育学": "教育学 学前教育 小学教育 体育教育 特殊教育 教育技术学 心理学 应用心理学 学科教学（语文） "
    "学科教学（数学） 学科教学（英语） 社会体育指导与管理 运动训练 早期教育 语文教育 数学教育 英语教育",
    "文学": "汉语言文学 汉语言 英语 翻译 日语 俄语 新闻学 新闻与传播 广告学 网络与新媒体 秘书学 藏语言文学 "
    "蒙古语言文学 中国少数民族语言文学 中国语言文学 外国语言文学 商务英语 应用英语 文秘",
    "历史学": "历史学 考古学 文物与博物馆学 世界史 中国史",
    "理学": "数学与应用数学 信息与计算科学 物理学 应用物理学 化学 应用化学 生物科学 生物技术 地理科学 地理学 "
    "自然地理与资源环境 人文地理与城乡规划 地理信息科学 生态学 统计学 应用统计学 大气科学 地质学 心理学（理学） 数学 "
    "环境科学 天文学",
    "工学": "计算机科学与技术 软件工程 网络工程 物联网工程 数据科学与大数据技术 人工智能 信息安全 通信工程 "
    "电子信息工程 电气工程及其自动化 自动化 机械设计制造及其自动化 机械工程 车辆工程 土木工程 水利水电工程 "
    "水利工程 化学工程与工艺 材料科学与工程 环境工程 采矿工程 地质工程 测绘工程 食品科学与工程 建筑学 "
    "城乡规划 交通运输 给排水科学与工程 计算机应用技术 建筑工程技术 汽车检测与维修技术 道路桥梁工程技术 "
    "工程造价 铁道交通运营管理 机电一体化技术 软件技术 大数据技术 电子信息工程技术 建设工程管理",
    "农学": "农学 动物医学 动物科学 草业科学 草学 作物学 畜牧学 兽医学 畜牧兽医 园艺 植物保护 林学 "
    "水产养殖学 园林 农业资源与环境 种子科学与工程",
    "医学": "临床医学 护理学 护理 药学 藏医学 中医学 中医学（藏医） 中药学 医学影像学 医学检验技术 "
    "预防医学 口腔医学 康复治疗学 助产 医学影像技术 药品经营与管理",
    "管理学": "会计学 会计 财务管理 工商管理 市场营销 人力资源管理 行政管理 公共管理 旅游管理 "
    "电子商务 物流管理 现代物流管理 信息管理与信息系统 大数据与会计 酒店管理与数字化运营 酒店管理 "
    "审计学 劳动与社会保障 土地资源管理 公共事业管理 工程管理 物业管理 图书馆学 档案学",
    "艺术学": "美术学 音乐学 音乐表演 舞蹈学 视觉传达设计 环境设计 产品设计 绘画 动画 广播电视编导 "
    "播音与主持艺术 戏剧影视文学 数字媒体艺术 艺术设计",
}.items():
    for _name in _names.split():
        _BY_NAME[_name] = _discipline

# Naming habits of the catalogues, tried in this order when the exact name is unknown (工程 before 化学: 化学工程
# is 工学; 管理 after 工程: 工程管理 is found by name above).
_KEYWORDS: tuple[tuple[str, str], ...] = (
    (r"医学|护理|药|临床|中医|藏医|蒙医|口腔|康复|检验|影像", "医学"),
    (r"兽医|畜牧|动物|草业|作物|农|林|园艺|植物|水产|种子|茶", "农学"),
    (r"教育|教学|师范|幼儿", "教育学"),
    (
        r"工程|技术|计算机|软件|电气|电子|机械|自动化|通信|土木|建筑|测绘|材料|能源|车辆|机电|数控|网络|信息安全|数据|智能",
        "工学",
    ),
    (r"管理|会计|财务|营销|商务|物流|审计|人力资源|旅游|酒店", "管理学"),
    (r"经济|金融|贸易|财政|税|保险|投资", "经济学"),
    (r"法|政治|社会|民族学|马克思|公安|侦查|警", "法学"),
    (r"语言|文学|汉语|英语|日语|俄语|翻译|新闻|传播|广告|秘书|外语", "文学"),
    (r"艺术|音乐|美术|舞蹈|设计|绘画|表演|动画|播音|影视|戏剧", "艺术学"),
    (r"数学|物理|化学|生物|地理|生态|统计|地质|天文|大气|海洋|心理", "理学"),
    (r"历史|考古|文物|博物馆", "历史学"),
    (r"哲学|逻辑|宗教", "哲学"),
)
_PATTERNS = tuple((re.compile(pattern), discipline) for pattern, discipline in _KEYWORDS)
_SPACES = re.compile(r"\s+")


def discipline_of(major: str) -> str:
    """The 学科门类 of MAJOR's name, or 未归类."""
    name = _SPACES.sub("", major or "")
    if not name:
        return UNSORTED
    if name in _BY_NAME:
        return _BY_NAME[name]
    bare = re.sub(r"[（(].*?[）)]$", "", name)  # 学科教学（物理） → 学科教学
    if bare in _BY_NAME:
        return _BY_NAME[bare]
    for pattern, discipline in _PATTERNS:
        if pattern.search(name):
            return discipline
    return UNSORTED
