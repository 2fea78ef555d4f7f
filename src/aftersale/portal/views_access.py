"""Getting in and out of the portal: sign-in, invitation links, password reset; staff invite and revoke."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersale.accounts.models import Account, Contact
from aftersale.ops.throttle import ThrottledPasswordResetView
from aftersale.portal.forms import PortalAuthenticationForm, PortalPasswordResetForm
from aftersale.portal.invitations import (
    do_accept_invitation,
    do_invite_contact,
    do_revoke_access,
    find_invitation,
    notify_invitation,
    usable_invitation,
)
from aftersale.staff.access import staff_required

_INVITATION = "portal_invitation"


class PortalLoginView(auth_views.LoginView):
    """Sign-in for contacts (staff are refused: ``PortalAuthenticationForm``)."""

    template_name = "portal/login.html"
    authentication_form = PortalAuthenticationForm
    redirect_authenticated_user = True

    def get_success_url(self) -> str:
        if self.request.user.is_vendor_staff:  # already signed in, on the staff side
            return reverse("home")
        target = self.get_redirect_url()
        if target.startswith(reverse("portal:home")):
            return target
        return reverse("portal:home")


class PortalLogoutView(auth_views.LogoutView):
    next_page = reverse_lazy("portal:login")


password_reset = ThrottledPasswordResetView.as_view(
    form_class=PortalPasswordResetForm,
    template_name="portal/password_reset_form.html",
    email_template_name="portal/email/password_reset_body.txt",
    subject_template_name="portal/email/password_reset_subject.txt",
    success_url=reverse_lazy("portal:password_reset_done"),
)
password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="portal/password_reset_done.html"
)
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    template_name="portal/password_reset_confirm.html",
    success_url=reverse_lazy("portal:password_reset_complete"),
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="portal/password_reset_complete.html"
)


def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The link from the e-mail. The token moves into the session and out of the address bar
    (so it cannot leak through the browser history or a Referer header)."""
    found = find_invitation(token, timezone.now())
    if found is None:
        return render(request, "portal/invitation_invalid.html", status=404)
    request.session[_INVITATION] = found.pk
    return redirect("portal:invitation_accept")


def invitation_accept(request: HttpRequest) -> HttpResponse:
    """Choose a password; the invitation is spent and the contact signed in."""
    found = usable_invitation(request.session.get(_INVITATION), timezone.now())
    if found is None:
        return render(request, "portal/invitation_invalid.html", status=404)
    user = found.contact.user
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = do_accept_invitation(found, password=form.cleaned_data["new_password1"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            request.session.pop(_INVITATION, None)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome! Your password is set; sign in with it next time."))
            return redirect("portal:home")
    return render(request, "portal/invitation_accept.html", {"form": form, "contact": found.contact})


# --- staff: invite and revoke ---------------------------------------------------------------

def _staff_contact(request: HttpRequest, pk: int) -> Contact:
    return get_object_or_404(
        Contact.objects.filter(account__in=Account.objects.restrict(request.user)).select_related(
            "account", "user"
        ),
        pk=pk,
    )


def _back_to_account(request: HttpRequest, contact: Contact) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return redirect(target)
    return redirect(reverse("account_detail", args=[contact.account_id]) + "#contacts")


@staff_required
@require_POST
def staff_invite(request: HttpRequest, pk: int) -> HttpResponse:
    contact = _staff_contact(request, pk)
    try:
        sent = do_invite_contact(contact, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _back_to_account(request, contact)
    if notify_invitation(sent):
        messages.success(request, _("Invitation sent to %(email)s; the link works once, until %(until)s.") % {
            "email": sent.invitation.sent_to,
            "until": timezone.localtime(sent.invitation.expires_at).strftime("%Y-%m-%d %H:%M")})
    else:
        messages.error(request, _("The invitation for %(email)s was created but the e-mail could not be "
                                  "sent. Check the mail settings and send it again.")
                       % {"email": sent.invitation.sent_to})
    return _back_to_account(request, contact)


@staff_required
@require_POST
def staff_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    contact = do_revoke_access(_staff_contact(request, pk))
    messages.success(request, _("Portal access for %(name)s is revoked.") % {"name": contact.name})
    return _back_to_account(request, contact)
