"""What a request may carry: text without NUL bytes or other control characters.

A NUL byte cannot be stored in PostgreSQL text and other control characters have no place
in a name, a title or a search; both are refused with one clear error before any view runs,
instead of failing deep inside it. Pure: it takes the request's parts, not the request.
"""

import re

# C0 controls and DEL. Tab, line feed and carriage return are the line breaks and indents of
# multi-line fields (a comment, a proposal's text), so form and JSON values keep them.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_OR_LINE_BREAK = re.compile("[\x00-\x1f\x7f]")


def has_control_characters(text: str, *, multi_line: bool) -> bool:
    pattern = _CONTROL if multi_line else _CONTROL_OR_LINE_BREAK
    return pattern.search(text) is not None


def _json_strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _json_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _json_strings(item)


def refuses_input(*, path: str, args, form, file_names=(), json=None) -> bool:
    """True when the request carries a control character: anywhere in its path, its query
    (a URL holds no multi-line field) or its field names; in a form or JSON value other
    than a tab or a line break. Uploaded files' contents are binary and not looked at."""
    query = [text for pair in args.items(multi=True) for text in pair]
    form_pairs = list(form.items(multi=True))
    single_line = [path, *query, *(key for key, _value in form_pairs), *file_names]
    if any(has_control_characters(text, multi_line=False) for text in single_line):
        return True
    multi_line = [*(value for _key, value in form_pairs), *_json_strings(json)]
    return any(has_control_characters(text, multi_line=True) for text in multi_line)
