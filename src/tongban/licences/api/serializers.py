from rest_framework import serializers

from tongban.licences.models import ELicense


class LicenceSerializer(serializers.ModelSerializer):
    license_type = serializers.SerializerMethodField()
    holder_code = serializers.CharField(source="masked_holder_code", read_only=True)
    issuer = serializers.SerializerMethodField()
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    usable = serializers.SerializerMethodField()

    class Meta:
        model = ELicense
        fields = [
            "identifier",
            "license_type",
            "number",
            "holder_name",
            "holder_code",
            "holder_code_type",
            "issuer",
            "issue_date",
            "valid_from",
            "valid_until",
            "region_code",
            "status",
            "status_display",
            "usable",
            "trust_level",
            "data",
            "revoked_at",
            "revoke_reason",
        ]

    def get_license_type(self, licence) -> dict:
        return {"code": licence.license_type.code, "name": licence.license_type.name}

    def get_issuer(self, licence) -> dict:
        return {"name": licence.issuer.name, "credit_code": licence.issuer.credit_code}

    def get_usable(self, licence) -> bool:
        return licence.is_usable()


class LicenceLookupParams(serializers.Serializer):
    holder = serializers.CharField(max_length=18, help_text="持证主体代码（公民身份号码或统一社会信用代码）")
    purpose = serializers.CharField(max_length=200, help_text="查询用途，如办件编号（留痕）")
    types = serializers.CharField(required=False, help_text="证照类型代码，逗号分隔")


class LicenceRevokeSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class LicenceOfferParams(LicenceLookupParams):
    item = serializers.RegexField(r"^[0-9A-Za-z]{12}$", help_text="事项编码")
    sub_item = serializers.CharField(max_length=100, required=False, help_text="业务办理项名称")
    types = None


class LicenceOfferSerializer(serializers.Serializer):
    def to_representation(self, offer: dict) -> dict:
        material = offer["material"]
        return {
            "material": material.pk,
            "name": material.name,
            "necessity": material.necessity,
            "licences": LicenceSerializer(offer["licences"], many=True).data,
        }
