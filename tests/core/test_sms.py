"""The SMS contract every feature sends through."""

from app.core.sms import Sms, provider, send_sms


def test_console_backend_keeps_what_it_sends(app):
    message_id = send_sms("13700000001", "recovery_code", code=123456)
    assert message_id.startswith("console-")
    assert provider().sent == [Sms("13700000001", "recovery_code", {"code": "123456"})]


def test_an_eager_job_that_fails_leaves_the_caller_standing(app, make_user):
    from app.core.jobs import enqueue
    from app.extensions import db

    user = make_user()

    def rename_then_fail(user_id):
        db.session.get(type(user), user_id).name = "改了"
        db.session.flush()
        raise RuntimeError("the service is down")

    enqueue(rename_then_fail, user.id)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(type(user), user.id).name == "测试用户"
