"""The community's choice of what strangers may read."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField


class PublicSettingsForm(FlaskForm):
    public_result_notices = BooleanField(
        _l("Owners' vote results are public"),
        description=_l("The preliminary and final result notices and the bulletin by receipt "
                       "after close: rooms and areas only, never names or phone numbers."))
    public_minutes = BooleanField(_l("Published meeting minutes are public"))
    public_notices = BooleanField(
        _l("Notices their issuer marks public are public"),
        description=_l("Other notices stay within the community."))
