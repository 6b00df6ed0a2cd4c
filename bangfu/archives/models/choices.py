"""Choice lists of the national 困难职工档案表, as codes (stored) and Chinese labels (shown)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


# The 56 ethnic groups and 其他; the stored value is the Chinese name, the label translates.
ETHNICITY_CHOICES = [
    ("汉族", _("汉族")),
    ("蒙古族", _("蒙古族")),
    ("回族", _("回族")),
    ("藏族", _("藏族")),
    ("维吾尔族", _("维吾尔族")),
    ("苗族", _("苗族")),
    ("彝族", _("彝族")),
    ("壮族", _("壮族")),
    ("布依族", _("布依族")),
    ("朝鲜族", _("朝鲜族")),
    ("满族", _("满族")),
    ("侗族", _("侗族")),
    ("瑶族", _("瑶族")),
    ("白族", _("白族")),
    ("土家族", _("土家族")),
    ("哈尼族", _("哈尼族")),
    ("哈萨克族", _("哈萨克族")),
    ("傣族", _("傣族")),
    ("黎族", _("黎族")),
    ("傈僳族", _("傈僳族")),
    ("佤族", _("佤族")),
    ("畲族", _("畲族")),
    ("高山族", _("高山族")),
    ("拉祜族", _("拉祜族")),
    ("水族", _("水族")),
    ("东乡族", _("东乡族")),
    ("纳西族", _("纳西族")),
    ("景颇族", _("景颇族")),
    ("柯尔克孜族", _("柯尔克孜族")),
    ("土族", _("土族")),
    ("达斡尔族", _("达斡尔族")),
    ("仫佬族", _("仫佬族")),
    ("羌族", _("羌族")),
    ("布朗族", _("布朗族")),
    ("撒拉族", _("撒拉族")),
    ("毛南族", _("毛南族")),
    ("仡佬族", _("仡佬族")),
    ("锡伯族", _("锡伯族")),
    ("阿昌族", _("阿昌族")),
    ("普米族", _("普米族")),
    ("塔吉克族", _("塔吉克族")),
    ("怒族", _("怒族")),
    ("乌孜别克族", _("乌孜别克族")),
    ("俄罗斯族", _("俄罗斯族")),
    ("鄂温克族", _("鄂温克族")),
    ("德昂族", _("德昂族")),
    ("保安族", _("保安族")),
    ("裕固族", _("裕固族")),
    ("京族", _("京族")),
    ("塔塔尔族", _("塔塔尔族")),
    ("独龙族", _("独龙族")),
    ("鄂伦春族", _("鄂伦春族")),
    ("赫哲族", _("赫哲族")),
    ("门巴族", _("门巴族")),
    ("珞巴族", _("珞巴族")),
    ("基诺族", _("基诺族")),
    ("其他", _("其他")),
]
ETHNIC_GROUPS = [code for code, _label in ETHNICITY_CHOICES]


class PoliticalStatus(models.TextChoices):
    PARTY_MEMBER = "party_member", _("中共党员")
    PROBATIONARY = "probationary", _("中共预备党员")
    LEAGUE_MEMBER = "league_member", _("共青团员")
    DEMOCRATIC_PARTY = "democratic_party", _("民主党派")
    NON_PARTISAN = "non_partisan", _("无党派人士")
    MASSES = "masses", _("群众")


class Health(models.TextChoices):
    HEALTHY = "healthy", _("健康")
    CHRONIC = "chronic", _("长期慢性病")
    SERIOUS_ILLNESS = "serious_illness", _("患重特大疾病")
    DISABLED = "disabled", _("残疾")
    OTHER = "other", _("其他")


class Disability(models.TextChoices):
    NONE = "none", _("无")
    VISUAL = "visual", _("视力残疾")
    HEARING = "hearing", _("听力残疾")
    SPEECH = "speech", _("言语残疾")
    PHYSICAL = "physical", _("肢体残疾")
    INTELLECTUAL = "intellectual", _("智力残疾")
    MENTAL = "mental", _("精神残疾")
    MULTIPLE = "multiple", _("多重残疾")


class WorkStatus(models.TextChoices):
    EMPLOYED = "employed", _("在岗")
    LAID_OFF = "laid_off", _("下岗")
    UNEMPLOYED = "unemployed", _("失业")
    RETIRED = "retired", _("退休")
    SICK_LEAVE = "sick_leave", _("病休")
    EARLY_RETIRED = "early_retired", _("内退")
    MIGRANT = "migrant", _("农民工")


class ModelWorker(models.TextChoices):
    NONE = "none", _("非劳模")
    NATIONAL = "national", _("全国劳模")
    PROVINCIAL = "provincial", _("省部级劳模")
    CITY = "city", _("地市级劳模")
    OTHER = "other", _("其他")


class Industry(models.TextChoices):
    AGRICULTURE = "A", _("农、林、牧、渔业")
    MINING = "B", _("采矿业")
    MANUFACTURING = "C", _("制造业")
    UTILITIES = "D", _("电力、热力、燃气及水生产和供应业")
    CONSTRUCTION = "E", _("建筑业")
    TRADE = "F", _("批发和零售业")
    TRANSPORT = "G", _("交通运输、仓储和邮政业")
    HOSPITALITY = "H", _("住宿和餐饮业")
    IT = "I", _("信息传输、软件和信息技术服务业")
    FINANCE = "J", _("金融业")
    REAL_ESTATE = "K", _("房地产业")
    BUSINESS_SERVICES = "L", _("租赁和商务服务业")
    RESEARCH = "M", _("科学研究和技术服务业")
    ENVIRONMENT = "N", _("水利、环境和公共设施管理业")
    RESIDENT_SERVICES = "O", _("居民服务、修理和其他服务业")
    EDUCATION = "P", _("教育")
    HEALTH = "Q", _("卫生和社会工作")
    CULTURE = "R", _("文化、体育和娱乐业")
    PUBLIC_ADMIN = "S", _("公共管理、社会保障和社会组织")
    INTERNATIONAL = "T", _("国际组织")


class EmployerNature(models.TextChoices):
    STATE_OWNED = "state_owned", _("国有企业")
    COLLECTIVE = "collective", _("集体企业")
    PRIVATE = "private", _("私营企业")
    FOREIGN = "foreign", _("外资企业")
    HK_MACAO_TAIWAN = "hmt", _("港澳台资企业")
    JOINT_STOCK = "joint_stock", _("股份制企业")
    PUBLIC_INSTITUTION = "public_institution", _("机关事业单位")
    SOCIAL_ORGANISATION = "social_org", _("社会团体")
    INDIVIDUAL = "individual", _("个体工商户")
    OTHER = "other", _("其他")


class EnterpriseStatus(models.TextChoices):
    NORMAL = "normal", _("正常")
    DIFFICULT = "difficult", _("困难")
    SUSPENDED = "suspended", _("停产半停产")
    BANKRUPT = "bankrupt", _("破产")
    RESTRUCTURED = "restructured", _("改制")
    CLOSED = "closed", _("关闭")


class Housing(models.TextChoices):
    OWNED = "owned", _("自有住房")
    PUBLIC_RENTAL = "public_rental", _("公租房、廉租房")
    PRIVATE_RENTAL = "private_rental", _("租住私房")
    BORROWED = "borrowed", _("借住")
    NONE = "none", _("无住房")
    OTHER = "other", _("其他")


class Marital(models.TextChoices):
    SINGLE = "single", _("未婚")
    MARRIED = "married", _("已婚")
    DIVORCED = "divorced", _("离异")
    WIDOWED = "widowed", _("丧偶")


class Hukou(models.TextChoices):
    URBAN = "urban", _("城镇")
    RURAL = "rural", _("农村")


class MedicalInsurance(models.TextChoices):
    EMPLOYEE = "employee", _("城镇职工基本医疗保险")
    RESIDENT = "resident", _("城乡居民基本医疗保险")
    NONE = "none", _("未参保")


class Relation(models.TextChoices):
    SPOUSE = "spouse", _("配偶")
    SON = "son", _("儿子")
    DAUGHTER = "daughter", _("女儿")
    FATHER = "father", _("父亲")
    MOTHER = "mother", _("母亲")
    FATHER_IN_LAW = "father_in_law", _("岳父(公公)")
    MOTHER_IN_LAW = "mother_in_law", _("岳母(婆婆)")
    GRANDCHILD = "grandchild", _("孙子女、外孙子女")
    SIBLING = "sibling", _("兄弟姐妹")
    OTHER = "other", _("其他")


class MemberIdentity(models.TextChoices):
    EMPLOYED = "employed", _("在职")
    LAID_OFF = "laid_off", _("下岗")
    UNEMPLOYED = "unemployed", _("失业")
    RETIRED = "retired", _("退休")
    STUDENT = "student", _("在校学生")
    PRESCHOOL = "preschool", _("学龄前儿童")
    FARMING = "farming", _("务农")
    NO_WORK = "no_work", _("无业")
    OTHER = "other", _("其他")


class Education(models.TextChoices):
    NONE = "none", _("无")
    PRIMARY = "primary", _("小学")
    JUNIOR = "junior", _("初中")
    SENIOR = "senior", _("高中、中专、职高")
    COLLEGE = "college", _("大专")
    BACHELOR = "bachelor", _("本科")
    POSTGRADUATE = "postgraduate", _("研究生")


class HardshipCause(models.IntegerChoices):
    NO_WORK_CAPACITY = 1, _("无劳动能力")
    ABLE_BUT_UNEMPLOYED = 2, _("有劳动能力未就业")
    LAID_OFF = 3, _("下岗失业")
    NO_SOCIAL_INSURANCE = 4, _("未参加社保")
    INSUFFICIENT_INSURANCE = 5, _("社保待遇不到位")
    SERIOUS_ILLNESS = 6, _("重特大疾病")
    NATURAL_DISASTER = 7, _("自然灾害")
    ACCIDENT = 8, _("意外事故")
    SCHOOLING = 9, _("子女上学")
    OTHER = 10, _("其他")


class Category(models.TextChoices):
    """Hardship categories of every rule version. Older files keep the category they had."""

    DEEP = "deep", _("深度困难")
    RELATIVE = "relative", _("相对困难")
    ACCIDENT = "accident", _("意外致困")
    DIBAO = "dibao", _("享受低保")
    ABOVE_DIBAO = "above_dibao", _("低保线以上")
    NO_DIBAO = "no_dibao", _("未享受低保")
    NOT_ELIGIBLE = "not_eligible", _("不符合建档条件")


class AreaKind(models.TextChoices):
    URBAN = "urban", _("市区")
    COUNTY = "county", _("县")
    RURAL = "rural", _("农村")
