from flask import Blueprint, current_app, request
from flask_login import login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.audit.models import AuditEvent
from app.community.models import Community
from app.core.rendering import render_page
from app.extensions import db
from app.permissions import require

bp = Blueprint("audit", __name__, url_prefix="/audit")


@bp.route("/")
@login_required
def log():
    """Platform administrators read the whole log; community administrators their own part."""
    community_id = request.args.get("community", type=int)
    community = db.get_or_404(Community, community_id) if community_id else None
    if community is None:
        require("platform.admin")
    else:
        require("community.manage", community)
    query = (select(AuditEvent).options(joinedload(AuditEvent.actor))
             .order_by(AuditEvent.seq.desc()))
    if community is not None:
        query = query.where(AuditEvent.community_id == community.id)
    page = db.paginate(query, per_page=current_app.config["PAGE_SIZE"], error_out=False)
    return render_page("audit/log.html", "audit/_events.html", page=page, community=community)
