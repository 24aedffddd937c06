"""Enumerations of the directory, with Chinese labels (DESIGN §2)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.TextChoices):
    CITY = "city", _("市")
    COUNTY = "county", _("县（市、区）")
    TOWN = "town", _("乡镇（街道）")
    COMMUNITY = "community", _("村（社区）")


# 行使层级 digit used in implementation codes (实施编码): region level → digit.
LEVEL_DIGIT = {
    RegionLevel.CITY: "3",
    RegionLevel.COUNTY: "4",
    RegionLevel.TOWN: "5",
    RegionLevel.COMMUNITY: "6",
}


class AuthorityKind(models.TextChoices):
    MARKET = "market", _("市场监管")
    PUBLIC_SECURITY = "public_security", _("公安")
    HRSS = "hrss", _("人力资源和社会保障")
    MEDICAL_INSURANCE = "medical_insurance", _("医疗保障")
    HOUSING_FUND = "housing_fund", _("住房公积金")
    REAL_ESTATE = "real_estate", _("不动产登记")
    TAX = "tax", _("税务")
    CIVIL_AFFAIRS = "civil_affairs", _("民政")
    HEALTH = "health", _("卫生健康")
    TRANSPORT = "transport", _("交通运输")
    URBAN_MANAGEMENT = "urban_management", _("城市管理")
    HOUSING_CONSTRUCTION = "housing_construction", _("住房和城乡建设")
    ECOLOGY = "ecology", _("生态环境")
    NATURAL_RESOURCES = "natural_resources", _("自然资源")
    EDUCATION = "education", _("教育")
    CULTURE_TOURISM = "culture_tourism", _("文化和旅游")
    AGRICULTURE = "agriculture", _("农业农村")
    EMERGENCY = "emergency", _("应急管理")
    JUSTICE = "justice", _("司法行政")
    COMMERCE = "commerce", _("商务")
    DISABLED_PERSONS = "disabled_persons", _("残疾人联合会")
    UTILITY = "utility", _("公共服务企业（水电气网）")
    OTHER = "other", _("其他")


class ServicePointLevel(models.TextChoices):
    CITY_HALL = "city_hall", _("市级政务服务中心")
    COUNTY_HALL = "county_hall", _("县级政务服务中心")
    BRANCH = "branch", _("分中心")
    TOWN_CENTRE = "town_centre", _("乡镇（街道）便民服务中心")
    COMMUNITY_CENTRE = "community_centre", _("村（社区）便民服务站")
    PARK = "park", _("园区服务站")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("星期一")
    TUESDAY = 1, _("星期二")
    WEDNESDAY = 2, _("星期三")
    THURSDAY = 3, _("星期四")
    FRIDAY = 4, _("星期五")
    SATURDAY = 5, _("星期六")
    SUNDAY = 6, _("星期日")


class WindowKind(models.TextChoices):
    GENERAL = "general", _("综合窗口（无差别全科受理）")
    ZONE = "zone", _("专区窗口")
