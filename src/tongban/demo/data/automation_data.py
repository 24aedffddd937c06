"""Demo data for 秒批, 告知承诺制 and the e-licence library.

DEMO DATA — invented enterprise and licences; rules modelled on Fuzhou's 渣土运输备案 秒批.
"""

# 证照有效期（年）; types not listed are long-term.
LICENCE_VALIDITY_YEARS = {
    "YYZZ0001": None,
    "SPJY0001": 5,
    "DLYS0001": 4,
    "DLYSZ001": 4,
    "JZLJ0001": 1,
    "RLZY0001": 5,
    "GGWS0001": 4,
}

# Material types an online application fills in itself (the application form).
FILLED_ONLINE_TYPES = {"M006"}

# What a licence shows from the application (照面信息); contact details and other people stay off it.
LICENCE_FACE_FIELDS = {
    "YYZZ0001": ["enterprise_name", "enterprise_type", "registered_capital", "business_scope", "business_address"],
    "SPJY0001": ["enterprise_name", "business_address", "food_business_category", "food_business_items"],
    "DLYS0001": ["enterprise_name", "business_address", "transport_scope"],
    "DLYSZ001": ["enterprise_name", "vehicle_plate_number", "vehicle_type"],
    "JZLJ0001": ["enterprise_name", "vehicle_count", "disposal_site", "waste_volume", "start_date", "end_date"],
}

COMMITMENT_TEXT = (
    "本申请人已知晓“{item}”的全部许可条件和标准，现郑重承诺：一、所填写的信息和提交的材料真实、准确、完整；"
    "二、已经具备上述许可条件，并将持续符合；三、愿意接受行政机关的事后核查，如承诺不实，愿意承担行政许可被撤销"
    "及相应的法律责任，并记入信用记录。"
)

# 城市建筑垃圾处置（渣土运输）备案: approved by 系统 for an enterprise holding a valid 道路运输经营许可证.
APPROVAL_RULES = {
    "001110001000": [
        {"code": "R1", "description": "申请人为企业", "expression": 'applicant.kind == "enterprise"'},
        {
            "code": "R2",
            "description": "持有有效的道路运输经营许可证",
            "expression": '"DLYS0001" in licences && licences["DLYS0001"].valid_until >= today',
        },
        {
            "code": "R3",
            "description": "持有有效的道路运输证",
            "expression": '"DLYSZ001" in licences',
        },
        {
            "code": "R4",
            "description": "运输车辆 1–200 辆",
            "expression": "form.vehicle_count >= 1 && form.vehicle_count <= 200",
        },
        {
            "code": "R5",
            "description": "处置期限：结束日期不早于开始日期",
            "expression": "form.end_date >= form.start_date",
        },
    ]
}

# A transport enterprise in 仓山区 with its licences (issuer by region and authority kind), issued some
# days before the demo is loaded so they stay valid whenever it is.
DEMO_ENTERPRISE = {
    "name": "福州榕运渣土运输有限公司（演示）",
    "credit_prefix": "91350104",
    "org_body": "M0000D01",
    "username": "enterprise_rongyun",
    "account_name": "榕运渣土运输（企业用户）",
    "licences": [
        {"type": "YYZZ0001", "issuer": ("350104", "market"), "days_ago": 980, "data": {"类型": "有限责任公司"}},
        {
            "type": "DLYS0001",
            "issuer": ("350104", "transport"),
            "days_ago": 540,
            "data": {"经营范围": "道路普通货物运输"},
        },
        {"type": "DLYSZ001", "issuer": ("350104", "transport"), "days_ago": 520, "data": {"车辆数": 12}},
    ],
}

# A filled-in 渣土运输备案 application (the enterprise's name and credit code are added by whoever files).
MUCK_APPLICATION = {
    "legal_representative": "陈建",
    "contact_phone": "0591-88880000",
    "vehicle_count": "12",
    "construction_site_address": "仓山区金山大道 8 号工地",
    "disposal_site": "仓山区建筑垃圾消纳场",
    "waste_volume": "3000",
    "transport_route": "金山大道—三环路—消纳场",
    "start_date": "2026-12-01",
    "end_date": "2027-02-28",
}
