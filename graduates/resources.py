"""django-import-export resources. The export writes the 汇总表 columns (人社厅发〔2012〕69号 annex 2) as codes,
plus the registry's own columns, so what an admin downloads matches what the offices see."""

from import_export import fields, resources

from .codes import HARDSHIP_NATIONAL_CODE, Hardship, Intention, ServiceNeed, join_codes
from .models import Graduate


class GraduateExportResource(resources.ModelResource):
    name = fields.Field(attribute="name", column_name="姓名")
    gender = fields.Field(attribute="gender", column_name="性别")
    ethnicity = fields.Field(attribute="ethnicity", column_name="民族")
    id_number = fields.Field(attribute="id_number", column_name="公民身份号码")
    university_name = fields.Field(attribute="university_name", column_name="毕业院校")
    graduation_date = fields.Field(column_name="毕业日期")
    education = fields.Field(attribute="education", column_name="学历")
    major = fields.Field(attribute="major", column_name="所学专业")
    origin_region = fields.Field(attribute="origin_region_id", column_name="入学前户口所在地")
    email = fields.Field(attribute="email", column_name="电子邮箱")
    postcode = fields.Field(attribute="postcode", column_name="邮编")
    mobile = fields.Field(attribute="mobile", column_name="手机号码")
    landline = fields.Field(attribute="landline", column_name="固定电话")
    hardship = fields.Field(column_name="困难状况")
    location_intention = fields.Field(attribute="location_intention", column_name="就业地意向")
    intentions = fields.Field(column_name="就业意向")
    service_needs = fields.Field(column_name="就业服务需求")
    destination = fields.Field(attribute="destination", column_name="就业去向（回访结果）")
    cohort = fields.Field(attribute="cohort", column_name="届别")
    state = fields.Field(column_name="状态")
    responsible_office = fields.Field(attribute="responsible_office__name", column_name="责任机构")

    class Meta:
        model = Graduate
        # Only the columns declared above, in this order.
        fields = export_order = (
            "name", "gender", "ethnicity", "id_number", "university_name", "graduation_date", "education", "major",
            "origin_region", "email", "postcode", "mobile", "landline", "hardship", "location_intention",
            "intentions", "service_needs", "destination", "cohort", "state", "responsible_office",
        )  # fmt: skip

    def dehydrate_graduation_date(self, graduate: Graduate) -> str:
        return graduate.graduation_date.strftime("%Y%m%d")

    def dehydrate_hardship(self, graduate: Graduate) -> str:
        national = [HARDSHIP_NATIONAL_CODE.get(code, code) for code in graduate.hardship]
        return join_codes(national, Hardship)

    def dehydrate_intentions(self, graduate: Graduate) -> str:
        return join_codes(graduate.intentions, Intention)

    def dehydrate_service_needs(self, graduate: Graduate) -> str:
        return join_codes(graduate.service_needs, ServiceNeed)

    def dehydrate_state(self, graduate: Graduate) -> str:
        return graduate.get_state_display()
