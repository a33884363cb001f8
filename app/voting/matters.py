"""The matters of an owners' joint decision (Civil Code Art. 278) and the rule each one
fixes, with no Flask and no database.

Items (六)–(八) need three quarters of the participating area and owners; the others more
than half; all of them need two thirds of the area and of the owners to take part. The chair
names the item; the rule follows from it and cannot be chosen apart from it.
"""

import enum

from app.voting.rules import Rule


class Matter(enum.IntEnum):
    OTHER = 0               # none of the items: an ordinary matter
    RULES_OF_PROCEDURE = 1  # (一) 制定和修改业主大会议事规则
    COVENANT = 2            # (二) 制定和修改管理规约
    COMMITTEE = 3           # (三) 选举业主委员会或者更换业主委员会成员
    PROPERTY_MANAGER = 4    # (四) 选聘和解聘物业服务企业或者其他管理人
    USE_FUND = 5            # (五) 使用建筑物及其附属设施的维修资金
    RAISE_FUND = 6          # (六) 筹集建筑物及其附属设施的维修资金
    REBUILD = 7             # (七) 改建、重建建筑物及其附属设施
    COMMON_PARTS = 8        # (八) 改变共有部分的用途或者利用共有部分从事经营活动
    OTHER_MAJOR = 9         # (九) 有关共有和共同管理权利的其他重大事项


MAJOR_MATTERS = frozenset({Matter.RAISE_FUND, Matter.REBUILD, Matter.COMMON_PARTS})
ITEM_NUMERALS = "一二三四五六七八九"


def rule_for(matter: int) -> Rule:
    """The one rule an owners' decision on this matter is counted by."""
    return Rule.CIVIL_CODE_MAJOR if Matter(matter) in MAJOR_MATTERS else Rule.CIVIL_CODE_ORDINARY


def item_numeral(matter: int) -> str:
    """"（六）" for item 6; empty for a matter outside the items."""
    return f"（{ITEM_NUMERALS[matter - 1]}）" if Matter(matter) else ""
