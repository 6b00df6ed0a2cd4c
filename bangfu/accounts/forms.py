"""Forms of the account pages. They check input only; the services apply the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.validators import RegexValidator
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from bangfu.network.models import OrgUnit

from .roles import Role


class BootstrapMixin:
    """Give widgets Bootstrap 5 classes and mark fields that carry errors as invalid."""

    fields: dict[str, forms.Field]

    def _style_widgets(self) -> None:
        for field in self.fields.values():
            widget = field.widget
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)  # type: ignore[misc]
        for name in self.errors:  # type: ignore[attr-defined]
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                if "is-invalid" not in attrs.get("class", ""):
                    attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()


class UnitChoiceField(forms.ModelChoiceField):
    """An org unit, shown indented by depth so the tree reads on a phone too."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "error_messages",
            {
                "required": _("请选择单位。"),
                "invalid_choice": _("所选单位不在您的管理范围内。"),
            },
        )
        super().__init__(queryset=OrgUnit.objects.none(), **kwargs)

    def label_from_instance(self, obj: Any) -> str:
        return "\u3000" * max(obj.depth, 0) + obj.name


phone_validator = RegexValidator(
    r"^[0-9+\- ]*$", _("电话只能包含数字、空格、“+”和“-”。"), code="invalid_phone"
)


class LoginForm(BootstrapMixin, auth_forms.AuthenticationForm):
    """Django's log-in form with one message for every failure, so that it does not tell
    whether the user name exists or the account is disabled."""

    error_messages = {
        "invalid_login": _("用户名或密码错误。"),
        "inactive": _("用户名或密码错误。"),
    }

    def __init__(
        self, request: Any = None, *args: Any, captcha: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("用户名")
        self.fields["username"].error_messages["required"] = _("请填写用户名。")
        self.fields["password"].label = _("密码")
        self.fields["password"].error_messages["required"] = _("请填写密码。")
        self._style_widgets()
        if captcha:
            self.add_captcha()

    def add_captcha(self) -> None:
        """Ask for the picture's letters too (after repeated failures)."""
        from .captcha import captcha_field

        self.fields["captcha"] = captcha_field()

    def clean(self) -> dict[str, Any]:
        # A missing or wrong CAPTCHA refuses before the password is tried: a guessing program
        # learns nothing and no failure is counted against the account.
        if "captcha" in self.fields and "captcha" in self.errors:
            return self.cleaned_data
        return super().clean()


class PasswordChangeForm(BootstrapMixin, auth_forms.PasswordChangeForm):
    """Check the old password and the two new ones; `services.password_change` saves."""

    error_messages = {
        "password_incorrect": _("原密码输入错误,请重新输入。"),
        "password_mismatch": _("两次输入的新密码不一致。"),
    }

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(user, *args, **kwargs)
        self.fields["old_password"].label = _("原密码")
        self.fields["new_password1"].label = _("新密码")
        self.fields["new_password2"].label = _("确认新密码")
        for name, label in (
            ("old_password", _("原密码")),
            ("new_password1", _("新密码")),
            ("new_password2", _("确认新密码")),
        ):
            self.fields[name].error_messages["required"] = _("请填写%(field)s。") % {"field": label}
        self._style_widgets()

    def save(self, commit: bool = True) -> Any:
        raise NotImplementedError("Change passwords through services.password_change.")


class UserForm(BootstrapMixin, forms.Form):
    """The fields of an account that an administrator edits."""

    full_name = forms.CharField(
        label=_("姓名"), max_length=50, error_messages={"required": _("请填写姓名。")}
    )
    phone = forms.CharField(
        label=_("电话"), max_length=20, required=False, validators=[phone_validator]
    )
    email = forms.EmailField(
        label=_("电子邮箱"),
        required=False,
        error_messages={"invalid": _("电子邮箱格式不正确。")},
    )
    unit = UnitChoiceField(label=_("所属单位"))

    def __init__(self, *args: Any, units: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        self._style_widgets()


class UserCreateForm(UserForm):
    username = forms.CharField(
        label=_("登录名"),
        max_length=150,
        validators=[UnicodeUsernameValidator(message=_("登录名只能包含字母、数字和 @ . + - _。"))],
        error_messages={"required": _("请填写登录名。")},
        help_text=_("字母、数字和 @ . + - _,登录后不能修改。"),
    )
    field_order = ["username", "full_name", "phone", "email", "unit"]


class RoleAssignForm(BootstrapMixin, forms.Form):
    role = forms.ChoiceField(
        label=_("角色"),
        choices=[("", "---------"), *Role.choices],
        error_messages={"required": _("请选择角色。"), "invalid_choice": _("角色无效。")},
    )
    unit = UnitChoiceField(label=_("范围(组织单位)"), help_text=_("角色对该单位及其下级单位有效。"))

    def __init__(self, *args: Any, units: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        self._style_widgets()


class TokenCreateForm(BootstrapMixin, forms.Form):
    name = forms.CharField(
        label=_("令牌名称"),
        max_length=50,
        error_messages={
            "required": _("请填写令牌名称,说明用在哪里。"),
            "max_length": _("令牌名称最多 50 个字。"),
        },
        help_text=_("用在哪里,如“帮扶站报表程序”。"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style_widgets()


class PasswordSetForm(BootstrapMixin, forms.Form):
    """Set one's password with the one-time code an administrator handed over."""

    username = forms.CharField(
        label=_("登录名"), max_length=150, error_messages={"required": _("请填写登录名。")}
    )
    code = forms.CharField(
        label=_("一次性设置码"),
        max_length=40,
        help_text=_("管理员当面或电话告知的设置码,如 ABCDE-FGHJK-LMNPQ-RSTUV。"),
        error_messages={"required": _("请填写一次性设置码。")},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    new_password1 = forms.CharField(
        label=_("新密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": _("请填写新密码。")},
    )
    new_password2 = forms.CharField(
        label=_("确认新密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": _("请填写确认新密码。")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style_widgets()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new_password1") and data.get("new_password1") != data.get("new_password2"):
            self.add_error("new_password2", _("两次输入的新密码不一致。"))
        return data


class AccountChangeForm(BootstrapMixin, forms.Form):
    """Propose a change to a 三员 account; the fields used depend on the kind."""

    kind = forms.ChoiceField(
        label=_("变更"), error_messages={"required": _("请选择要办理的变更。")}
    )
    full_name = forms.CharField(label=_("姓名"), max_length=50, required=False)
    phone = forms.CharField(
        label=_("电话"), max_length=20, required=False, validators=[phone_validator]
    )
    email = forms.EmailField(
        label=_("电子邮箱"), required=False, error_messages={"invalid": _("电子邮箱格式不正确。")}
    )
    unit = UnitChoiceField(label=_("单位(修改账号信息、授予角色时)"), required=False)
    role = forms.ChoiceField(label=_("角色(授予时)"), required=False)
    assignment = forms.ChoiceField(label=_("要撤销的角色"), required=False)

    def __init__(
        self, *args: Any, units: QuerySet[OrgUnit], assignments: Any, **kwargs: Any
    ) -> None:
        from .models import AccountChange

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "---------"), *AccountChange.Kind.choices]  # type: ignore[attr-defined]
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["role"].choices = [("", "---------"), *Role.choices]  # type: ignore[attr-defined]
        self.fields["assignment"].choices = [  # type: ignore[attr-defined]
            ("", "---------"),
            *((a.pk, f"{a.get_role_display()} @ {a.unit.name}") for a in assignments),
        ]
        self._style_widgets()

    def payload(self) -> dict[str, Any]:
        d = self.cleaned_data
        unit = d.get("unit")
        return {
            "full_name": d.get("full_name", ""),
            "phone": d.get("phone", ""),
            "email": d.get("email", ""),
            "unit_id": unit.pk if unit else None,
            "role": d.get("role") or None,
            "assignment_id": int(d["assignment"]) if d.get("assignment") else None,
        }
