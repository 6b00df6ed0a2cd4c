"""The import kit's upload form."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Excel 文件"),
        help_text=_("Excel 文件(.xlsx 或 .xls),按导入模板填写,每人一行。"),
        error_messages={
            "required": _("请选择要导入的 Excel 文件。"),
            "empty": _("上传的文件是空的。"),
            "invalid": _("请选择要导入的 Excel 文件。"),
        },
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,.xls,.xlsm,.ods,application/vnd.openxmlformats-officedocument"
                ".spreadsheetml.sheet,application/vnd.ms-excel"
            }
        ),
    )

    def __init__(self, *args: object, label: str = "", **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if label:
            self.fields["file"].label = label

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        limit = int(settings.BANGFU_IMPORT_MAX_MB)
        if upload.size > limit * 1024 * 1024:
            raise forms.ValidationError(
                _("文件超过 %(mb)d MB,请分成几个文件导入。") % {"mb": limit}
            )
        return upload
