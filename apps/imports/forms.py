"""The upload form: what is loaded and the file. The file's contents are checked by the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .kinds import Kind
from .readers import MAX_BYTES


class UploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Что загружается"),
        choices=Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Выберите, что загружается.")},
    )
    file = forms.FileField(
        label=_("Файл XLSX или CSV"),
        error_messages={"required": _("Выберите файл."), "empty": _("Файл пуст.")},
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("Файл больше %(mb)s МБ: разделите его на несколько файлов."), params={"mb": MAX_BYTES // 2**20}
            )
        return upload
