"""Meetings (会议), minutes (会议纪要) and result notices (表决结果公告) as documents."""
