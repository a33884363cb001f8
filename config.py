"""Settings for every environment.

Each setting has a default here and can be overridden from the environment: the common
ones by their plain name (``DATABASE_URL``, ``SECRET_KEY``, ``REDIS_URL``), any other by
its name prefixed with ``GONGZHI_`` (``GONGZHI_LOGIN_LIMIT_PER_PHONE="3 per hour"``).
"""

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent

# A key that is public (it is in this file) must never sign production sessions.
DEFAULT_SECRET_KEY = "dev-only-not-secret"


def _env_flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", DEFAULT_SECRET_KEY)
    # A relative SQLite path lives in the instance folder (Flask-SQLAlchemy resolves it there).
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", "sqlite:///gongzhi.db")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    REDIS_URL = os.environ.get("REDIS_URL", "")
    # The key that seals a voter's link to their secret ballot (app/voting/sealing.py).
    # Empty: derived from SECRET_KEY. Keep it out of the database and its backups, and never
    # change it while a poll is open or objections run: the count needs it.
    BALLOT_KEY = os.environ.get("BALLOT_KEY", "")

    RATELIMIT_STORAGE_URI = REDIS_URL or "memory://"
    RATELIMIT_HEADERS_ENABLED = False
    # Only failed attempts count towards these limits.
    LOGIN_LIMIT_PER_PHONE = "5 per 15 minutes"
    LOGIN_LIMIT_PER_ADDRESS = "30 per 15 minutes"
    # Registration attempts one address may make, whatever their outcome.
    REGISTER_LIMIT_PER_ADDRESS = "10 per hour"
    # Password-reset codes by SMS that one number, and one address, may ask for.
    RECOVERY_LIMIT_PER_PHONE = "3 per hour"
    RECOVERY_LIMIT_PER_ADDRESS = "10 per hour"
    # How many reverse proxies stand in front of the app. Each adds itself to X-Forwarded-For;
    # only that many entries from the right are believed. 0: the header is ignored and the
    # connecting address is the client's (a forged header must never choose the address).
    TRUSTED_PROXIES = 0
    # Wrong meeting check-in codes one person may try.
    MEETING_CHECK_IN_LIMIT = "5 per 10 minutes"
    # The longest mute a moderator may give; a moderator may also lift one at any time.
    MUTE_MAX_DAYS = 30
    # How long the insights dashboard keeps its figures; 0 computes them on every view.
    INSIGHTS_CACHE_SECONDS = 60

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _env_flag("SESSION_COOKIE_SECURE", True)
    # A session ends after 12 hours without a request or 7 days after login; "keep me logged
    # in" lasts 30 days. Logging out everywhere else and a password change end them all.
    SESSION_IDLE_SECONDS = 12 * 3600
    SESSION_MAX_SECONDS = 7 * 24 * 3600
    REMEMBER_COOKIE_DURATION = 30 * 24 * 3600
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    PREFERENCE_COOKIE_MAX_AGE = 365 * 24 * 3600

    WTF_CSRF_TIME_LIMIT = None  # a form left open on a phone for hours must still submit

    BABEL_DEFAULT_LOCALE = "zh_Hans"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    BABEL_TRANSLATION_DIRECTORIES = str(PROJECT_ROOT / "app" / "translations")
    LANGUAGES = {"zh_Hans": "中文", "en": "English"}

    MAX_CONTENT_LENGTH = 8 * 1024 * 1024
    # Uploaded files: a photo (proposals, notices, follow-ups) and a notice's PDF.
    PHOTO_MAX_BYTES = 5 * 1024 * 1024
    # Checked from the file's header before decoding: a photo of this many pixels takes four
    # bytes each while it is shrunk (160 MB at 40 megapixels), one photo at a time.
    PHOTO_MAX_PIXELS = 40_000_000
    PDF_MAX_BYTES = 10 * 1024 * 1024
    PROPOSAL_MAX_PHOTOS = 6
    NOTICE_MAX_ATTACHMENTS = 6
    # The request limits of the forms that carry those files, with a megabyte for the rest.
    PROPOSAL_UPLOAD_LIMIT = PROPOSAL_MAX_PHOTOS * PHOTO_MAX_BYTES + 1024 * 1024
    NOTICE_UPLOAD_LIMIT = NOTICE_MAX_ATTACHMENTS * PDF_MAX_BYTES + 1024 * 1024
    ROSTER_MAX_ROWS = 20000
    # Where uploads are stored (app/core/storage.py): "local" (instance/uploads, one machine)
    # or "s3", a bucket every app node shares (AWS S3, Aliyun OSS, MinIO). OSS and MinIO
    # behind one host name want S3_ADDRESSING_STYLE=path.
    STORAGE_BACKEND = os.environ.get("STORAGE_BACKEND", "local")
    S3_ENDPOINT_URL = os.environ.get("S3_ENDPOINT_URL", "")
    S3_BUCKET = os.environ.get("S3_BUCKET", "")
    S3_REGION = os.environ.get("S3_REGION", "")
    S3_ACCESS_KEY_ID = os.environ.get("S3_ACCESS_KEY_ID", "")
    S3_SECRET_ACCESS_KEY = os.environ.get("S3_SECRET_ACCESS_KEY", "")
    S3_ADDRESSING_STYLE = os.environ.get("S3_ADDRESSING_STYLE", "auto")
    # The Ed25519 private key (PEM) that signs chain anchors (`flask audit anchor`): a path
    # outside the database and its backups, e.g. on the host that keeps the anchors.
    AUDIT_ANCHOR_KEY = ""
    # A TrueType font (TTF/TTC) to embed in PDF documents; empty: the packaged WenQuanYi Micro Hei.
    DOCUMENT_FONT = os.environ.get("DOCUMENT_FONT", "")
    # Where the QR codes and addresses printed on posters and paper ballots lead: the
    # site's scheme and host as phones reach it (https://gongzhi.example.org, no path).
    # Empty: the host of the request that prints (SERVER_NAME, PREFERRED_URL_SCHEME apply).
    PUBLIC_BASE_URL = ""
    # Rows per page: staff registers (units, the audit log), then the residents' lists.
    PAGE_SIZE = 50
    PROPOSALS_PER_PAGE = 20
    COMMENTS_PER_PAGE = 20
    NOTICES_PER_PAGE = 30
    MESSAGES_PER_PAGE = 30
    DONE_ACTIONS_PER_PAGE = 20
    # Comments and replies one person may post per minute and per hour (0: no limit);
    # official answers are not counted.
    COMMENT_LIMIT_PER_MINUTE = 3
    COMMENT_LIMIT_PER_HOUR = 30

    # Days notifications and notice read receipts are kept; `flask retention purge` (run it
    # daily from cron) deletes older ones. The audit log and ballot chains are kept for good.
    RETENTION_DAYS = 365

    # Text messages: "console" logs them (development, tests), "file" appends them to
    # instance/SMS_FILE, "aliyun" sends them through Alibaba Cloud SMS; see app/core/sms.py.
    SMS_BACKEND = "console"
    SMS_FILE = "sms-outbox.jsonl"
    SMS_ALIYUN_ACCESS_KEY_ID = ""
    SMS_ALIYUN_ACCESS_KEY_SECRET = ""
    SMS_ALIYUN_ENDPOINT = "https://dysmsapi.aliyuncs.com"
    # The registered signature (签名), shown as 【…】 before every message.
    SMS_SIGN_NAME = ""
    # Template name -> the TemplateCode the service approved for its text; from the
    # environment as JSON: GONGZHI_SMS_TEMPLATE_CODES='{"recovery_code": "SMS_123456789"}'.
    SMS_TEMPLATE_CODES: dict[str, str] = {}
    SMS_TIMEOUT_SECONDS = 10
    # Run jobs at once in the request instead of on the Redis queue (app/core/jobs.py).
    JOBS_EAGER = _env_flag("JOBS_EAGER", True)
    # The RQ queue `flask jobs work` serves, and the waits in seconds before each retry of
    # a failed job (as many retries as waits).
    JOBS_QUEUE = "gongzhi"
    JOBS_RETRY_INTERVALS = [30, 120, 600]
    # Webhooks (app/webhooks): deliveries go only to https:// addresses, and never to one
    # that resolves into a loopback, private or link-local network (the server would
    # otherwise be made to probe its own network). Development and tests allow both, for a
    # receiver on 127.0.0.1.
    WEBHOOK_HTTPS_ONLY = _env_flag("WEBHOOK_HTTPS_ONLY", True)
    WEBHOOK_ALLOW_PRIVATE_TARGETS = _env_flag("WEBHOOK_ALLOW_PRIVATE_TARGETS", False)
    # Seconds one delivery attempt waits for the receiver (to connect, then to answer).
    WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("WEBHOOK_TIMEOUT_SECONDS", "5"))
    # The key that encrypts the webhooks' signing secrets in the database. Empty: derived
    # from SECRET_KEY. Changing it makes the stored secrets unreadable (register again).
    WEBHOOK_SECRETS_KEY = os.environ.get("WEBHOOK_SECRETS_KEY", "")

    TESTING = False
    DEBUG = False


class DevelopmentConfig(Config):
    DEBUG = True
    WEBHOOK_HTTPS_ONLY = _env_flag("WEBHOOK_HTTPS_ONLY", False)
    WEBHOOK_ALLOW_PRIVATE_TARGETS = _env_flag("WEBHOOK_ALLOW_PRIVATE_TARGETS", True)
    SESSION_COOKIE_SECURE = _env_flag("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing-not-secret"
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    RATELIMIT_STORAGE_URI = "memory://"
    WTF_CSRF_ENABLED = True
    INSIGHTS_CACHE_SECONDS = 0  # tests never see stale figures
    WEBHOOK_HTTPS_ONLY = False  # the test receiver listens on http://127.0.0.1
    WEBHOOK_ALLOW_PRIVATE_TARGETS = True


class ProductionConfig(Config):
    pass


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
