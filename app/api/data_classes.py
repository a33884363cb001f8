"""Data classes of the API's fields, and the one gate that drops what a caller may not see.

Every schema field names its class in its metadata (``x-data-class``). A caller's kind decides
which classes they read; personal data (a person's name, phone, room, ballot choice) is read
by nobody through the API.
"""

PUBLIC = "public"
RESIDENTS = "residents"
STAFF = "staff"
PERSONAL = "personal"
DATA_CLASSES = (PUBLIC, RESIDENTS, STAFF, PERSONAL)

ANONYMOUS = "anonymous"
RESIDENT = "resident"
STAFF_MEMBER = "staff"

READABLE = {
    ANONYMOUS: frozenset({PUBLIC}),
    RESIDENT: frozenset({PUBLIC, RESIDENTS}),
    STAFF_MEMBER: frozenset({PUBLIC, RESIDENTS, STAFF}),
}


def gate(classes: dict, data: dict, caller: str) -> dict:
    """``data`` without the fields whose class ``caller`` may not read. ``classes`` maps a
    field name to its class, or to a nested mapping for a nested object or list of them."""
    readable = READABLE[caller]
    kept = {}
    for name, value in data.items():
        data_class = classes[name]
        if isinstance(data_class, tuple):  # (class of the field, classes of its objects)
            data_class, inner = data_class
            if data_class not in readable:
                continue
            if isinstance(value, list):
                value = [gate(inner, item, caller) for item in value]
            elif isinstance(value, dict):
                value = gate(inner, value, caller)
        elif data_class not in readable:
            continue
        kept[name] = value
    return kept
