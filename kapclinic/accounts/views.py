"""Sign-in, sign-out, two-factor and the security page."""

from __future__ import annotations

from typing import Any

import django_otp
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import SetPasswordForm
from django.db import transaction
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from kapclinic.accounts import actions, session_clock, two_factor
from kapclinic.accounts.access import after_login_url, current_user, safe_next_url
from kapclinic.accounts.forms import CodeForm, DisableTwoFactorForm, LoginForm, SetupCodeForm
from kapclinic.accounts.models import User
from kapclinic.clinics.branding import clinic_name


@login_not_required
@sensitive_post_parameters("password")
@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    if request.method != "POST" and isinstance(request.user, User):
        return redirect(after_login_url(request, request.user))
    form = LoginForm(request, data=request.POST if request.method == "POST" else None)
    if form.is_valid():
        user: User = form.get_user()
        auth_login(request, user)
        session_clock.start(request)
        actions.record_login(actor=user, step="password")
        return redirect(after_login_url(request, user))
    if form.attempted_email is not None:
        actions.record_login_failed(
            actor=User.objects.filter(email=form.attempted_email).first(),
            step="password",
            locked_out=bool(getattr(request, "axes_locked_out", False)),
        )
    return render(request, "accounts/login.html", {"form": form, "next": safe_next_url(request)})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    actions.record_logout(actor=current_user(request))
    auth_logout(request)
    messages.info(request, "You have signed out.")
    return redirect("accounts:login")


@require_POST
def keepalive(request: HttpRequest) -> HttpResponse:
    """Tell the server the person is still working in an open page (typing a long
    note, say), so the idle limit counts from now.

    SessionLimitsMiddleware has already refused an expired session and recorded
    this request as activity; there is nothing else to do. The absolute limit still
    applies.
    """
    return HttpResponse(status=204)


def _keeping_query(request: HttpRequest, url_name: str) -> str:
    """The URL of `url_name` with this request's query string (so `next` survives)."""
    query = request.GET.urlencode()
    return f"{reverse(url_name)}?{query}" if query else reverse(url_name)


def _two_factor_user(request: HttpRequest) -> User:
    """The signed-in user, if their role may use a second factor (staff and patients)."""
    user = current_user(request)
    if not two_factor.may_enrol(user):
        raise Http404
    return user


@sensitive_post_parameters("code")
@never_cache
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    user = _two_factor_user(request)
    if two_factor.confirmed_totp(user) is not None:
        # Adding a device must never bypass the one already enrolled.
        if two_factor.is_verified(user):
            return redirect("accounts:security")
        return redirect(_keeping_query(request, "accounts:verify"))
    device = two_factor.pending_totp(user)
    form = SetupCodeForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        check = two_factor.check_setup_code(device, form.cleaned_data["code"])
        if check.device is not None:
            # Staff enrolling at sign-in pass their second factor here, so this is
            # the sign-in's second step too; a patient opting in is already in.
            completes_sign_in = two_factor.is_required(user)
            codes = actions.confirm_totp_device(actor=user, device=device)
            if completes_sign_in:
                actions.record_login(actor=user, step="two_factor", method="enrolment")
            django_otp.login(request, device)
            request.session.cycle_key()
            return _show_backup_codes(request, codes, enrolled=True)
        actions.record_login_failed(actor=user, step="two_factor_setup")
        form.add_error("code", _code_error(check))
    context = {
        "form": form,
        "qr_svg": two_factor.qr_svg(device),
        "secret": two_factor.secret_base32(device),
        "next": safe_next_url(request),
    }
    return render(request, "accounts/two_factor_setup.html", context)


@sensitive_post_parameters("code")
@never_cache
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    user = _two_factor_user(request)
    if two_factor.is_verified(user):
        return redirect(after_login_url(request, user))
    if two_factor.confirmed_totp(user) is None:
        if not user.is_clinic_staff:
            # A patient without an authenticator has no code to enter and need not
            # set one up.
            return redirect(after_login_url(request, user))
        return redirect(_keeping_query(request, "accounts:setup"))
    form = CodeForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        check = two_factor.check_code(user, form.cleaned_data["code"])
        if check.device is not None:
            django_otp.login(request, check.device)
            request.session.cycle_key()
            actions.record_login(actor=user, step="two_factor", method=check.method)
            if check.method == "backup_code":
                left = two_factor.backup_codes_left(user)
                messages.warning(
                    request,
                    f"You used a backup code; {left} left. Make new ones on your security page.",
                )
            return redirect(after_login_url(request, user))
        actions.record_login_failed(actor=user, step="two_factor")
        form.add_error("code", _code_error(check))
    return render(
        request, "accounts/two_factor_verify.html", {"form": form, "next": safe_next_url(request)}
    )


def _code_error(check: two_factor.CodeCheck) -> str:
    if check.throttled:
        return "Too many wrong codes in a row. Wait a minute, then try the newest code."
    return "That code is not right. Check your app and enter the newest code."


def _show_backup_codes(request: HttpRequest, codes: list[str], *, enrolled: bool) -> HttpResponse:
    """Backup codes appear in this one response only; they are not stored in clear anywhere
    the user can come back to."""
    user = current_user(request)
    context = {"codes": codes, "enrolled": enrolled, "continue_url": after_login_url(request, user)}
    response = render(request, "accounts/backup_codes.html", context)
    response["Cache-Control"] = "no-store"
    return response


@never_cache
def security(request: HttpRequest) -> HttpResponse:
    return _render_security(request, current_user(request), DisableTwoFactorForm())


def _render_security(
    request: HttpRequest, user: User, disable_form: DisableTwoFactorForm
) -> HttpResponse:
    context = {
        "totp": two_factor.confirmed_totp(user) if two_factor.may_enrol(user) else None,
        "backup_codes_left": two_factor.backup_codes_left(user),
        "verified": two_factor.is_verified(user),
        "may_disable": two_factor.may_disable(user),
        "disable_form": disable_form,
    }
    return render(request, "accounts/security.html", context)


@require_POST
@sensitive_post_parameters("code")
@never_cache
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    """A patient turns two-factor sign-in off; a current code proves it is them.

    Staff get 404: for them two-factor is mandatory.
    """
    user = current_user(request)
    if not two_factor.may_disable(user):
        raise Http404
    if two_factor.confirmed_totp(user) is None:
        return redirect("accounts:security")
    form = DisableTwoFactorForm(request.POST)
    if form.is_valid():
        check = two_factor.check_code(user, form.cleaned_data["code"])
        if check.device is not None:
            actions.disable_two_factor(actor=user)
            messages.success(
                request, "Two-factor sign-in is off. You can turn it on again here at any time."
            )
            return redirect("accounts:security")
        actions.record_login_failed(actor=user, step="two_factor_disable")
        form.add_error("code", _code_error(check))
    return _render_security(request, user, form)


@require_POST
def regenerate_backup_codes(request: HttpRequest) -> HttpResponse:
    user = _two_factor_user(request)
    if two_factor.confirmed_totp(user) is None:
        return redirect("accounts:setup")
    if not two_factor.is_verified(user):
        messages.error(request, "Enter a code from your authenticator app first.")
        query = urlencode({"next": reverse("accounts:security")})
        return redirect(f"{reverse('accounts:verify')}?{query}")
    codes = actions.regenerate_backup_codes(actor=user)
    return _show_backup_codes(request, codes, enrolled=False)


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:security")

    def form_valid(self, form: Any) -> HttpResponse:
        user = current_user(self.request)
        with transaction.atomic():
            response = super().form_valid(form)
            actions.record_password_changed(actor=user, user=user, via="change")
        messages.success(self.request, "Your password has been changed.")
        return response


@method_decorator(login_not_required, name="dispatch")
class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form: Any) -> HttpResponse:
        # The e-mail speaks in the clinic's own name, read when it is sent.
        self.extra_email_context = {"site_name": clinic_name()}
        return super().form_valid(form)


@method_decorator(login_not_required, name="dispatch")
class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


@method_decorator(login_not_required, name="dispatch")
class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Sets a new password; never signs in, so staff still need their second factor."""

    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")
    post_reset_login = False

    def form_valid(self, form: Form) -> HttpResponse:
        assert isinstance(form, SetPasswordForm)
        user = form.user
        with transaction.atomic():
            response = super().form_valid(form)
            actions.record_password_changed(actor=user, user=user, via="reset")
        return response


@method_decorator(login_not_required, name="dispatch")
class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
