"""The moderation area's blueprint, shared by its view modules."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("moderation", __name__)
