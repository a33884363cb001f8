"""The words for proposals' values, for pages, documents and exports alike."""

from flask_babel import lazy_gettext as _l

from app.proposals.models import Category, ModerationState, ReviewOpinion
from app.proposals.states import Status

CATEGORY_LABELS = {
    Category.MAINTENANCE_FUND: _l("Maintenance fund (维修资金)"),
    Category.PROPERTY_COMPANY: _l("Hiring or dismissing the property company (聘用/解聘物业)"),
    Category.RULES_OF_PROCEDURE: _l("Rules of procedure and covenant (议事规则、管理规约)"),
    Category.FACILITIES: _l("Shared facilities (公共设施)"),
    Category.RENOVATION: _l("Renovation and lifts (改造、加装电梯)"),
    Category.PARKING: _l("Parking (停车)"),
    Category.ENVIRONMENT: _l("Cleanliness and greenery (环境卫生、绿化)"),
    Category.SAFETY: _l("Safety (安全)"),
    Category.COMMUNITY_LIFE: _l("Community life (社区活动)"),
    Category.OTHER: _l("Other (其他)"),
}


STATUS_LABELS = {
    Status.DRAFT: _l("Draft"),
    Status.COLLECTING: _l("Collecting support"),
    Status.DELIBERATION: _l("In deliberation"),
    Status.VOTING: _l("Voting"),
    Status.PASSED: _l("Passed"),
    Status.REJECTED: _l("Rejected"),
    Status.NO_QUORUM: _l("No quorum"),
    Status.IN_PROGRESS: _l("In progress"),
    Status.DONE: _l("Done"),
    Status.WITHDRAWN: _l("Withdrawn"),
    Status.MERGED: _l("Merged"),
}


OPINION_LABELS = {
    ReviewOpinion.PROCEED: _l("Proceed"),
    ReviewOpinion.PROCEED_WITH_SUGGESTIONS: _l("Proceed, with suggestions"),
    ReviewOpinion.RETURN_FOR_REVISION: _l("Return for revision"),
}


HIDDEN_LABELS = {
    ModerationState.PENDING: _l("Hidden pending review"),
    ModerationState.HIDDEN: _l("Hidden by a moderator"),
}


EVENT_LABELS = {
    "submit": _l("Submitted; collecting support"),
    "publish": _l("Published for deliberation"),
    "reach_threshold": _l("Reached its co-sponsor threshold"),
    "withdraw": _l("Withdrawn by the author"),
    "merge": _l("Merged into another proposal"),
    "move_back": _l("Moved back by a chair"),
    "open_voting": _l("Voting opened"),
    "close_passed": _l("Voting closed: passed"),
    "close_rejected": _l("Voting closed: rejected"),
    "close_no_quorum": _l("Voting closed: no quorum"),
    "start_work": _l("Work started"),
    "finish": _l("Finished"),
    "merged_from": _l("A duplicate was merged into this proposal"),
    "author_rights_withdrawn": _l("A chair withdrew the author's rights"),
    "party_review": _l("The party branch gave its opinion"),
    "rules_of_order": _l("A chair changed the rules of order"),
}
