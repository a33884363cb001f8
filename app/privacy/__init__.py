"""Personal data under control (PIPL): one's own data exported or erased on request,
retention of logs, and backups that can be restored."""
