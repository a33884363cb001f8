"""Hot topics: the words rising in the last 30 days across proposals and comments.

Texts are cut into words with jieba (Chinese word segmentation, MIT licence). A word counts
once per text (document frequency), so that one long comment cannot make a topic. A word
rises when its share of the recent texts beats its share of the 30 days before. Only the
most recent ``SAMPLE`` texts of each window are read: segmentation is Python work, and the
newest texts say what is being talked about now.

Privacy: words with digits (rooms, phones) are dropped, and so is any word that is the name
of an owner or an account of the community.
"""

import logging
import re
from collections import Counter
from datetime import datetime, timedelta

import jieba
from sqlalchemy import select, union_all

from app.auth.models import User
from app.community.models import Owner
from app.discussion.models import Comment
from app.extensions import db
from app.insights.services import Scope, household_accounts, proposals_in_scope
from app.proposals.models import ModerationState, Proposal
from app.proposals.states import Status

jieba.setLogLevel(logging.WARNING)

WINDOW = timedelta(days=30)
SAMPLE = 1500
TEXT_CHARS = 300
MIN_TEXTS = 3
TOP = 10
WORD = re.compile(r"^[\u4e00-\u9fffA-Za-z]{2,}$")
STOP_WORDS_TEXT = """
我们 你们 他们 她们 它们 大家 自己 这个 那个 这些 那些 这样 那样 这里 那里 什么 怎么 怎么样
为什么 因为 所以 但是 而且 并且 或者 还是 如果 虽然 然后 已经 可以 应该 需要 没有 不是 就是
还有 一下 一些 一个 一直 一定 现在 今天 明天 昨天 时候 问题 情况 希望 建议 觉得 认为 支持 反对
同意 谢谢 感谢 非常 比较 特别 真的 其实 只是 不过 而是 以及 关于 对于 通过 进行 目前 能够 还是
是否 不能 不会 不要 每天 很多 这么 那么 如何 以上 以下 之前 之后 其他 我家 大概 可能 确实
小区 业主 居民 物业 社区 the and for that this with are was you not but
"""
STOP_WORDS = frozenset(STOP_WORDS_TEXT.split())


def _names(scope: Scope) -> set[str]:
    """Names of the community's owners and of the accounts living or owning there."""
    people = household_accounts(scope).subquery()
    owners = select(Owner.name).where(Owner.community_id.in_(scope.community_ids))
    accounts = select(User.name).where(User.id.in_(select(people.c.user_id)))
    return set(db.session.execute(union_all(owners, accounts)).scalars())


def _texts(scope: Scope, start: datetime, end: datetime) -> list[str]:
    """The newest SAMPLE texts of the window: proposals (title and body) and comments."""
    proposals = (select(Proposal.published_at.label("at"),
                        (Proposal.title + "\n" + Proposal.body).label("text"))
                 .where(proposals_in_scope(scope), Proposal.status != Status.DRAFT,
                        Proposal.moderation_state != ModerationState.HIDDEN,
                        Proposal.published_at >= start, Proposal.published_at < end))
    comments = (select(Comment.created_at.label("at"), Comment.body.label("text"))
                .join(Proposal, Proposal.id == Comment.proposal_id)
                .where(proposals_in_scope(scope),
                       Comment.moderation_state != ModerationState.HIDDEN,
                       Comment.deleted_at.is_(None),
                       Comment.created_at >= start, Comment.created_at < end))
    both = union_all(proposals, comments).subquery()
    return [text[:TEXT_CHARS] for text in db.session.execute(
        select(both.c.text).order_by(both.c.at.desc()).limit(SAMPLE)).scalars()]


def words(text: str) -> set[str]:
    """The distinct words of a text worth counting."""
    return {w.strip() for w in jieba.lcut(text, HMM=False)
            if WORD.match(w.strip()) and w.strip().lower() not in STOP_WORDS}


def rising(recent: list[str], earlier: list[str], excluded: set[str] = frozenset()) -> list[dict]:
    """Words in at least MIN_TEXTS recent texts, ranked by how much their share of texts
    grew; pure, for tests."""
    now = Counter(w for text in recent for w in words(text) if w not in excluded)
    before = Counter(w for text in earlier for w in words(text) if w not in excluded)
    total_now, total_before = max(len(recent), 1), max(len(earlier), 1)
    scored = []
    for word, count in now.items():
        if count < MIN_TEXTS:
            continue
        growth = count / total_now - before[word] / total_before
        if growth > 0:
            scored.append((growth, count, word))
    scored.sort(key=lambda item: (-item[0], -item[1], item[2]))
    return [{"word": word, "recent": count, "earlier": before[word],
             "recent_share": round(100.0 * count / total_now, 1),
             "earlier_share": round(100.0 * before[word] / total_before, 1)}
            for _growth, count, word in scored[:TOP]]


def hot_topics(scope: Scope, now: datetime) -> dict:
    recent = _texts(scope, now - WINDOW, now)
    earlier = _texts(scope, now - 2 * WINDOW, now - WINDOW)
    return {"words": rising(recent, earlier, _names(scope)),
            "recent_texts": len(recent), "earlier_texts": len(earlier)}
