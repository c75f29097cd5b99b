"""The audit log, for admins: read and filter only. No route edits or deletes an event."""

from __future__ import annotations

from flask import request
from werkzeug.wrappers import Response

from ..numbers import optional_id
from ..paging import page_arg
from ..permissions import can
from ..responding import page_or_fragment
from . import audit
from .blueprint import bp


def _filters() -> audit.LogFilters:
    args = request.args
    action = args.get("action", "")
    target_type = args.get("target_type", "")
    target_id = args.get("target_id", "").strip()
    return audit.LogFilters(
        action=action if action in audit.ACTIONS else "",
        actor=args.get("actor", "").strip()[:40],
        target_type=target_type if target_type in audit.TARGET_TYPES else "",
        target_id=optional_id(target_id),
    )


@bp.get("/moderation/log", endpoint="log")
@can("view_audit_log")
def audit_log() -> Response:
    filters = _filters()
    log_page = audit.list_events(filters, page_arg())
    return page_or_fragment(
        "moderation/log.html",
        "moderation/_log_results.html",
        log_page=log_page,
        filters=filters,
        actions=audit.ACTIONS,
        target_types=audit.TARGET_TYPES,
    )
