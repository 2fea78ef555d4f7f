from __future__ import annotations

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from aftersale.core import conf
from aftersale.imports.kinds import KINDS
from aftersale.staff.models import Role, User


def max_upload_bytes() -> int:
    return int(conf.get("IMPORT_MAX_UPLOAD_BYTES"))


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"))
    file = forms.FileField(
        label=_("CSV file"), help_text=_("UTF-8 (with or without BOM), one header row.")
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["kind"].choices = [(name, kind.label) for name, kind in KINDS.items()]

    def clean_kind(self) -> str:
        kind = self.cleaned_data["kind"]
        # Importing staff sets roles, admin included: only an admin may do that.
        if kind == "staff" and self.user.role != Role.ADMIN:
            raise forms.ValidationError(_("Only an admin can import staff."))
        return kind

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = max_upload_bytes()
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is larger than %(limit)s; import it with the command line.")
                % {"limit": filesizeformat(limit)}
            )
        return upload
