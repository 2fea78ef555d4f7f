from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from aftersale.ops.throttle import ThrottledPasswordResetView
from aftersale.staff.forms import StaffAuthenticationForm, StaffPasswordResetForm

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="staff/login.html", authentication_form=StaffAuthenticationForm,
            redirect_authenticated_user=True,
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password-reset/", ThrottledPasswordResetView.as_view(
        form_class=StaffPasswordResetForm,
        template_name="staff/password_reset_form.html",
        email_template_name="staff/email/password_reset_body.txt",
        subject_template_name="staff/email/password_reset_subject.txt",
        success_url=reverse_lazy("password_reset_done"),
    ), name="password_reset"),
    path("password-reset/sent/", auth_views.PasswordResetDoneView.as_view(
        template_name="staff/password_reset_done.html"), name="password_reset_done"),
    path("password-reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(
        template_name="staff/password_reset_confirm.html",
        success_url=reverse_lazy("password_reset_complete"),
    ), name="password_reset_confirm"),
    path("password-reset/done/", auth_views.PasswordResetCompleteView.as_view(
        template_name="staff/password_reset_complete.html"), name="password_reset_complete"),
]
