"""Forms of the network pages. They only parse input; the rules live in `services`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from .models import OrgUnit, UnitPerson


class UnitChoiceField(forms.ModelChoiceField):
    """Units shown as an indented tree, the depth marked by leading full-width spaces."""

    def __init__(self, *args: Any, top_depth: int = 0, **kwargs: Any) -> None:
        self.top_depth = top_depth
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: OrgUnit) -> str:
        indent = "\u3000" * max(obj.depth - self.top_depth, 0)
        return f"{indent}{obj.name}({OrgUnit.Kind(obj.kind).label})"


class UnitForm(forms.Form):
    parent = UnitChoiceField(
        label=_("上级单位"),
        queryset=OrgUnit.objects.none(),
        required=False,
        empty_label=_("(无,顶层单位)"),
        error_messages={"invalid_choice": _("上级单位:请从列表中选择您管理范围内的单位。")},
    )
    name = forms.CharField(
        label=_("名称"),
        max_length=100,
        error_messages={
            "required": _("请填写名称。"),
            "max_length": _("名称不能超过 %(limit_value)d 个字。"),
        },
    )
    short_name = forms.CharField(label=_("简称"), max_length=30, required=False)
    kind = forms.ChoiceField(
        label=_("类型"),
        choices=OrgUnit.Kind.choices,
        error_messages={
            "required": _("请选择单位类型。"),
            "invalid_choice": _("请选择单位类型。"),
        },
    )
    station_type = forms.ChoiceField(
        label=_("站点类别"),
        choices=[("", _("(请选择;帮扶中心不填)")), *OrgUnit.StationType.choices],
        required=False,
        help_text=_("帮扶站、帮扶点必填:设在社区还是企业。"),
        error_messages={"invalid_choice": _("请选择站点类别(社区或企业)。")},
    )
    level = forms.ChoiceField(
        label=_("级别"),
        choices=[("", _("(帮扶站、帮扶点不填)")), *OrgUnit.Level.choices],
        required=False,
        error_messages={"invalid_choice": _("级别无效。")},
    )
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    phone = forms.CharField(label=_("电话"), max_length=30, required=False)
    sort_order = forms.IntegerField(
        label=_("排序"),
        min_value=0,
        required=False,
        help_text=_("同一上级下按此数字从小到大排列。"),
        error_messages={"invalid": _("排序请填写整数。"), "min_value": _("排序不能小于 0。")},
    )

    def __init__(
        self,
        *args: Any,
        parents: QuerySet[OrgUnit],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["parent"]
        assert isinstance(field, UnitChoiceField)
        field.queryset = parents
        depths = [u.depth for u in parents]
        field.top_depth = min(depths) if depths else 0

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "parent": data["parent"],
            "name": data["name"],
            "short_name": data["short_name"],
            "kind": data["kind"],
            "station_type": data["station_type"],
            "level": data["level"],
            "address": data["address"],
            "phone": data["phone"],
            "sort_order": data["sort_order"] or 0,
        }

    @staticmethod
    def initial_for(unit: OrgUnit) -> dict[str, Any]:
        return {
            "parent": unit.parent_id,
            "name": unit.name,
            "short_name": unit.short_name,
            "kind": unit.kind,
            "station_type": unit.station_type,
            "level": unit.level,
            "address": unit.address,
            "phone": unit.phone,
            "sort_order": unit.sort_order,
        }


class PersonForm(forms.Form):
    name = forms.CharField(
        label=_("姓名"),
        max_length=50,
        error_messages={
            "required": _("请填写姓名。"),
            "max_length": _("姓名不能超过 %(limit_value)d 个字。"),
        },
    )
    role = forms.ChoiceField(
        label=_("职责"),
        choices=UnitPerson.Role.choices,
        error_messages={
            "required": _("请选择职责。"),
            "invalid_choice": _("职责:请从列表中选择。"),
        },
    )
    post = forms.CharField(
        label=_("职务"),
        max_length=100,
        required=False,
        help_text=_("例如:乡党委副书记、工会主席。"),
    )
    phone = forms.CharField(label=_("电话"), max_length=30, required=False)
    sort_order = forms.IntegerField(
        label=_("排序"),
        min_value=0,
        required=False,
        error_messages={"invalid": _("排序请填写整数。"), "min_value": _("排序不能小于 0。")},
    )

    def __init__(self, *args: Any, unit: OrgUnit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if unit.kind != OrgUnit.Kind.CENTER:
            # The leading group sits only at centres; a station offers the unit roles only.
            field = self.fields["role"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [
                (value, label)
                for value, label in UnitPerson.Role.choices
                if value not in UnitPerson.GROUP_ROLES
            ]

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "role": data["role"],
            "post": data["post"],
            "phone": data["phone"],
            "sort_order": data["sort_order"] or 0,
        }

    @staticmethod
    def initial_for(person: UnitPerson) -> dict[str, Any]:
        return {
            "name": person.name,
            "role": person.role,
            "post": person.post,
            "phone": person.phone,
            "sort_order": person.sort_order,
        }
