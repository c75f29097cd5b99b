"""Two-step login's pages: the code after the password, and setting it up, renewing recovery
codes and turning it off from the account. Plain forms: each step is a page of its own."""

from __future__ import annotations

from flask import (
    Blueprint,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_limiter.util import get_remote_address
from flask_login import current_user
from werkzeug.wrappers import Response

from ..accounts import service as accounts
from ..errors import rescues_form
from ..extensions import limiter
from ..permissions import can
from ..safe_urls import same_site_path
from . import login_steps, pending, service
from .forms import CodeForm, RecoveryCodeForm, TurnOffForm

bp = Blueprint("two_factor", __name__)

# Only wrong codes count (a right one answers 303 or 200): the owner is never slowed by success.
CODE_LIMITS = "5 per minute;20 per hour"


def _wrong(response: Response) -> bool:
    return response.status_code == 422


def _pending_key() -> str:
    found = pending.current()
    return f"two-step:{found.user.id}" if found else f"two-step-ip:{get_remote_address()}"


def _member_key() -> str:
    return f"two-step:{current_user.id}"


def _page(template: str, status: int = 200, **context) -> Response:
    response = make_response(render_template(template, **context), status)
    # Secrets and recovery codes are on these pages: no cache keeps a copy.
    response.headers["Cache-Control"] = "no-store"
    return response


def _back_to_login() -> Response:
    """The half login is gone (too old, or the password changed): start again."""
    if pending.expired():
        flash("That took too long, so you need to enter your password again.", "info")
    back_to = pending.next_path()
    pending.end()
    return redirect(url_for("auth.login", next=back_to), 303)


# --- the step after the password ------------------------------------------------------------


@bp.route("/login/two-step", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"], deduct_when=_wrong)
@limiter.limit(CODE_LIMITS, methods=["POST"], key_func=_pending_key, deduct_when=_wrong)
def login_code() -> Response:
    found = pending.current()
    if found is None:
        return _back_to_login()
    form = CodeForm()
    if form.validate_on_submit():
        if service.check_code(found.user, form.code.data):
            pending.end()
            return login_steps.finish(found.user, found.remember, found.next_path)
        form.code.errors.append(_why_not(form.code.data))
    status = 422 if request.method == "POST" else 200
    return _page("two_factor/login_code.html", status, form=form)


def _why_not(code: str) -> str:
    if not service.is_code_shaped(service.normalise_code(code)):
        return service.NOT_A_CODE
    return service.WRONG_CODE


@rescues_form("two_factor.login_code")
def _slow_down_code(status: int, message: str) -> Response:
    form = CodeForm(meta={"csrf": False})
    form.code.errors = [message]
    return _page("two_factor/login_code.html", status, form=form)


@bp.route("/login/two-step/recovery", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"], deduct_when=_wrong)
@limiter.limit(CODE_LIMITS, methods=["POST"], key_func=_pending_key, deduct_when=_wrong)
def login_recovery() -> Response:
    found = pending.current()
    if found is None:
        return _back_to_login()
    form = RecoveryCodeForm()
    if form.validate_on_submit():
        if service.use_recovery_code(found.user, form.code.data):
            pending.end()
            left = service.recovery_codes_left(found.user)
            flash(
                f"You used a recovery code: {left} left. "
                "Make new ones from your account page if you are running low.",
                "warning" if left < 3 else "info",
            )
            return login_steps.finish(found.user, found.remember, found.next_path)
        form.code.errors.append(service.WRONG_RECOVERY_CODE)
    status = 422 if request.method == "POST" else 200
    return _page("two_factor/login_recovery.html", status, form=form)


@rescues_form("two_factor.login_recovery")
def _slow_down_recovery(status: int, message: str) -> Response:
    form = RecoveryCodeForm(meta={"csrf": False})
    form.code.errors = [message]
    return _page("two_factor/login_recovery.html", status, form=form)


# --- the account's two-step login -----------------------------------------------------------


@bp.get("/account/two-step")
@can("manage_account")
def settings() -> Response:
    return _settings_page(CodeForm(formdata=None, prefix="renew"), TurnOffForm(formdata=None))


def _settings_page(renew_form: CodeForm, off_form: TurnOffForm, status: int = 200) -> Response:
    return _page(
        "two_factor/settings.html",
        status,
        renew_form=renew_form,
        off_form=off_form,
        codes_left=service.recovery_codes_left(current_user),
        required=service.required_for(current_user),
    )


def _set_up_page(form: CodeForm, status: int = 200) -> Response:
    secret = service.pending_secret(current_user)
    uri = service.provisioning_uri(current_user, secret)
    return _page(
        "two_factor/set_up.html",
        status,
        form=form,
        secret=service.grouped(secret),
        uri=uri,
        qr=service.qr_svg(uri),
        required=service.required_for(current_user),
        next_path=same_site_path(request.args.get("next")),
    )


@bp.route("/account/two-step/set-up", methods=["GET", "POST"])
@can("manage_account")
@limiter.limit(CODE_LIMITS, methods=["POST"], key_func=_member_key, deduct_when=_wrong)
def set_up() -> Response:
    if current_user.has_two_factor:
        flash("Two-step login is already on.", "info")
        return redirect(url_for("two_factor.settings"), 303)
    form = CodeForm()
    if form.validate_on_submit():
        codes = service.confirm_setup(current_user, service.normalise_code(form.code.data))
        if codes is not None:
            # The account's other logins ended; this one carries on under the new token.
            login_steps.continue_session(current_user)
            return _page(
                "two_factor/recovery_codes.html",
                codes=codes,
                first_time=True,
                next_path=same_site_path(request.args.get("next")),
            )
        form.code.errors.append(_why_not(form.code.data))
    return _set_up_page(form, 422 if request.method == "POST" else 200)


@rescues_form("two_factor.set_up")
def _slow_down_set_up(status: int, message: str) -> Response:
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"), 303)
    form = CodeForm(meta={"csrf": False})
    form.code.errors = [message]
    return _set_up_page(form, status)


@bp.post("/account/two-step/recovery-codes")
@can("manage_account")
@limiter.limit(CODE_LIMITS, key_func=_member_key, deduct_when=_wrong)
def recovery_codes() -> Response:
    form = CodeForm(prefix="renew")
    if not current_user.has_two_factor:
        return redirect(url_for("two_factor.settings"), 303)
    if form.validate_on_submit():
        codes = service.new_recovery_codes(current_user, form.code.data)
        if codes is not None:
            return _page("two_factor/recovery_codes.html", codes=codes, first_time=False)
        form.code.errors.append(_why_not(form.code.data))
    return _settings_page(form, TurnOffForm(formdata=None), 422)


@bp.post("/account/two-step/turn-off")
@can("manage_account")
@limiter.limit(CODE_LIMITS, key_func=_member_key, deduct_when=_wrong)
def turn_off() -> Response:
    form = TurnOffForm()
    if not current_user.has_two_factor:
        return redirect(url_for("two_factor.settings"), 303)
    if form.validate_on_submit():
        if not accounts.check_password(current_user, form.password.data):
            form.password.errors.append("That is not your password.")
        elif not service.check_code_or_recovery_code(current_user, form.code.data):
            form.code.errors.append("That code is not right, or it has been used.")
        else:
            service.turn_off(current_user)
            if service.required_for(current_user):
                flash(
                    "Two-step login is off. Your role needs it for the staff pages: "
                    "set it up again with your new phone or app.",
                    "warning",
                )
                return redirect(url_for("two_factor.set_up"), 303)
            flash("Two-step login is off.", "success")
            return redirect(url_for("two_factor.settings"), 303)
    return _settings_page(CodeForm(formdata=None, prefix="renew"), form, 422)


@rescues_form("two_factor.recovery_codes")
def _slow_down_renew(status: int, message: str) -> Response:
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"), 303)
    form = CodeForm(meta={"csrf": False}, prefix="renew")
    form.code.errors = [message]
    return _settings_page(form, TurnOffForm(formdata=None), status)


@rescues_form("two_factor.turn_off")
def _slow_down_turn_off(status: int, message: str) -> Response:
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"), 303)
    form = TurnOffForm(meta={"csrf": False})
    form.code.errors = [message]
    return _settings_page(CodeForm(formdata=None, prefix="renew"), form, status)
