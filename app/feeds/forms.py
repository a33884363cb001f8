"""The buttons of a person's feed page: nothing to type, only the form token to check."""

from flask_wtf import FlaskForm


class FeedSecretForm(FlaskForm):
    """Create, rotate or revoke the secret of one's feed addresses."""
