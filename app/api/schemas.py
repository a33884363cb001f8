"""The API's resources as marshmallow schemas: they give the OpenAPI document, and each
field carries its data class for the gate in app/api/data_classes.py."""

from marshmallow import Schema, fields, validate

from app.api.data_classes import PUBLIC, RESIDENTS, STAFF

# The field's data class, under a key the OpenAPI document carries along (``x-`` keys are
# extensions), so that a client learns from the document what it may be missing.
DATA_CLASS = "x-data-class"


def _public(field):
    field.metadata[DATA_CLASS] = PUBLIC
    return field


def _residents(field):
    field.metadata[DATA_CLASS] = RESIDENTS
    return field


def _staff(field):
    field.metadata[DATA_CLASS] = STAFF
    return field


class ProblemSchema(Schema):
    """An error as RFC 9457 problem details."""

    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(metadata={"description": "in the language of Accept-Language "
                                                    "(zh-Hans unless en is asked for)"})
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), metadata={
        "description": "for refused parameters: each one's problems"})


class PageArgsSchema(Schema):
    cursor = fields.String(metadata={"description": "next_cursor of the previous page"})
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=100))
    updated_since = fields.AwareDateTime(metadata={
        "description": "only items changed at or after this time (ISO 8601 with offset), "
                       "oldest change first: pass the time your last sync started. Where a "
                       "list's items may be tombstones, an item that left it since comes as one"})


class CommunitySchema(Schema):
    id = _public(fields.Integer(required=True))
    name = _public(fields.String(required=True))
    address = _public(fields.String(required=True))
    public_page = _public(fields.String(required=True, metadata={
        "description": "the community's public page, readable without login"}))
    notice_days = _residents(fields.Integer(metadata={
        "description": "days between announcing an owners' vote and its opening"}))
    objection_place = _residents(fields.String())
    objection_phone = _residents(fields.String(metadata={
        "description": "the office that takes objections, not a person's phone"}))
    sms_cap_per_poll = _staff(fields.Integer())
    updated_at = _public(fields.DateTime(required=True, metadata={
        "description": "when it last changed, as updated_since compares"}))


class AttachmentSchema(Schema):
    name = _public(fields.String(required=True))
    content_type = _public(fields.String(required=True))
    size = _public(fields.Integer(required=True, metadata={"description": "bytes"}))
    url = _public(fields.String(required=True, metadata={
        "description": "without login where the public page shows the notice; otherwise the "
                       "site's address, behind login and the notice's permission"}))


class NoticeSchema(Schema):
    id = _public(fields.Integer(required=True))
    community_id = _public(fields.Integer(required=True))
    kind = _public(fields.String(required=True, validate=validate.OneOf(
        ["announcement", "result_notice", "minutes"])))
    title = _public(fields.String(required=True))
    body_html = _public(fields.String(required=True))
    organisation = _public(fields.String(required=True, metadata={
        "description": "the issuing organisation"}))
    published_at = _public(fields.DateTime(required=True))
    expires_at = _public(fields.DateTime(allow_none=True))
    poll_id = _public(fields.Integer(allow_none=True))
    attachments = _public(fields.List(fields.Nested(AttachmentSchema), required=True))
    scope_kind = _residents(fields.String())
    updated_at = _public(fields.DateTime(required=True, metadata={
        "description": "when it last changed, as updated_since compares"}))


class OptionResultSchema(Schema):
    option = _public(fields.String(required=True))
    people = _public(fields.Integer(required=True))
    area = _public(fields.Decimal(required=True, as_string=True))


class ResultSchema(Schema):
    outcome = _public(fields.String(required=True))
    participants = _public(fields.Integer(required=True))
    participating_area = _public(fields.Decimal(required=True, as_string=True))
    options = _public(fields.List(fields.Nested(OptionResultSchema), required=True))


class PollSchema(Schema):
    id = _public(fields.Integer(required=True))
    proposal_id = _public(fields.Integer(required=True))
    community_id = _public(fields.Integer(required=True))
    question = _public(fields.String(required=True))
    matter = _public(fields.Integer(allow_none=True))
    rule = _public(fields.String(required=True))
    electorate = _public(fields.String(required=True))
    kind = _public(fields.String(required=True))
    status = _public(fields.String(required=True))
    opens_at = _public(fields.DateTime(required=True))
    closes_at = _public(fields.DateTime(required=True))
    roll_people = _public(fields.Integer(allow_none=True, metadata={
        "description": "people on the voter roll frozen at opening"}))
    roll_area = _public(fields.Decimal(allow_none=True, as_string=True))
    voted_people = _public(fields.Integer(required=True))
    voted_area = _public(fields.Decimal(required=True, as_string=True))
    results = _public(fields.Nested(ResultSchema, allow_none=True, metadata={
        "description": "only where the poll's visibility lets the caller see results"}))
    updated_at = _public(fields.DateTime(required=True, metadata={
        "description": "when it last changed, as updated_since compares"}))


class StanceCountsSchema(Schema):
    support = _residents(fields.Integer(required=True))
    oppose = _residents(fields.Integer(required=True))
    neutral = _residents(fields.Integer(required=True))
    question = _residents(fields.Integer(required=True))


class OfficialAnswerSchema(Schema):
    organisation = _residents(fields.String(required=True))
    body = _residents(fields.String(required=True))
    created_at = _residents(fields.DateTime(required=True))


class ProposalSchema(Schema):
    """Proposals are for the community's members: no field is public."""

    id = _residents(fields.Integer(required=True))
    community_id = _residents(fields.Integer(required=True))
    title = _residents(fields.String(required=True))
    status = _residents(fields.String(required=True))
    category = _residents(fields.String(required=True))
    scope_kind = _residents(fields.String(required=True))
    cosponsors = _residents(fields.Integer(required=True))
    comments = _residents(fields.Integer(required=True))
    stances = _residents(fields.Nested(StanceCountsSchema, required=True))
    official_answers = _residents(fields.List(fields.Nested(OfficialAnswerSchema),
                                              required=True))
    published_at = _residents(fields.DateTime(allow_none=True))
    updated_at = _residents(fields.DateTime(required=True, metadata={
        "description": "when it last changed, as updated_since compares"}))


class ProposalPageSchema(Schema):
    items = _public(fields.List(fields.Nested(ProposalSchema), required=True))
    next_cursor = _public(fields.String(allow_none=True, required=True))


class AgendaItemSchema(Schema):
    position = _residents(fields.Integer(required=True))
    proposal_id = _residents(fields.Integer(required=True))
    title = _residents(fields.String(required=True))


class MeetingSchema(Schema):
    """Meetings are for the community's members; their published minutes are also a public
    notice (see the notices)."""

    id = _residents(fields.Integer(required=True))
    community_id = _residents(fields.Integer(required=True))
    kind = _residents(fields.String(required=True))
    title = _residents(fields.String(required=True))
    organisation = _residents(fields.String(required=True))
    starts_at = _residents(fields.DateTime(required=True))
    ends_at = _residents(fields.DateTime(required=True))
    place = _residents(fields.String(required=True))
    cancelled = _residents(fields.Boolean(required=True))
    agenda = _residents(fields.List(fields.Nested(AgendaItemSchema), required=True))
    minutes_notice_id = _residents(fields.Integer(allow_none=True, metadata={
        "description": "the notice of the latest published minutes"}))
    updated_at = _residents(fields.DateTime(required=True, metadata={
        "description": "when it last changed, as updated_since compares"}))


class MeetingPageSchema(Schema):
    items = _public(fields.List(fields.Nested(MeetingSchema), required=True))
    next_cursor = _public(fields.String(allow_none=True, required=True))


class ActionSchema(Schema):
    """A follow-up action of a proposal: for the community's members, as on the site."""

    id = _residents(fields.Integer(required=True))
    community_id = _residents(fields.Integer(required=True))
    proposal_id = _residents(fields.Integer(required=True))
    organisation = _residents(fields.String(required=True))
    description = _residents(fields.String(required=True))
    status = _residents(fields.String(required=True))
    due_on = _residents(fields.Date(required=True))
    overdue = _residents(fields.Boolean(required=True, metadata={
        "description": "still open after its due day (Beijing time)"}))
    done_at = _residents(fields.DateTime(allow_none=True))
    updated_at = _residents(fields.DateTime(required=True, metadata={
        "description": "when it last changed, as updated_since compares"}))


class ActionPageSchema(Schema):
    items = _public(fields.List(fields.Nested(ActionSchema), required=True))
    next_cursor = _public(fields.String(allow_none=True, required=True))


class FigureSchema(Schema):
    """Households and how many took part; ``took_part`` and ``share`` are withheld (null)
    below five households, as on the dashboard."""

    name = _staff(fields.String(required=True))
    households = _staff(fields.Integer(required=True))
    took_part = _staff(fields.Integer(allow_none=True))
    share = _staff(fields.Float(allow_none=True))


class InsightsArgsSchema(Schema):
    days = fields.Integer(load_default=90, validate=validate.Range(min=7, max=366))


class InsightsSchema(Schema):
    community_id = _staff(fields.Integer(required=True))
    start = _staff(fields.Date(required=True))
    end = _staff(fields.Date(required=True))
    total = _staff(fields.Nested(FigureSchema, required=True))
    grids = _staff(fields.List(fields.Nested(FigureSchema), required=True))
    buildings = _staff(fields.List(fields.Nested(FigureSchema), required=True))


class CommunityPageSchema(Schema):
    items = _public(fields.List(fields.Nested(CommunitySchema), required=True))
    next_cursor = _public(fields.String(allow_none=True, required=True))


class NoticePageSchema(Schema):
    items = _public(fields.List(fields.Nested(NoticeSchema), required=True))
    next_cursor = _public(fields.String(allow_none=True, required=True))


class PollPageSchema(Schema):
    items = _public(fields.List(fields.Nested(PollSchema), required=True))
    next_cursor = _public(fields.String(allow_none=True, required=True))


def _tombstone_of(resource: str, classed) -> type[Schema]:
    """What a sync yields for a ``resource`` that left its list since updated_since (a
    notice withdrawn, a proposal hidden): its id, when it left, and ``removed``, only to a
    caller who could read it before it left. Its fields have the class of the resource's
    own id."""
    return Schema.from_dict({
        "id": classed(fields.Integer(required=True)),
        "updated_at": classed(fields.DateTime(required=True, metadata={
            "description": "when it left the list"})),
        "removed": classed(fields.Boolean(required=True, validate=validate.Equal(True), metadata={
            "description": "always true: the item left the list since updated_since"})),
    }, name=f"{resource}TombstoneSchema")


NoticeTombstoneSchema = _tombstone_of("Notice", _public)
ProposalTombstoneSchema = _tombstone_of("Proposal", _residents)
TOMBSTONES = {"NoticePage": NoticeTombstoneSchema, "ProposalPage": ProposalTombstoneSchema}


def document_tombstones(spec) -> None:
    """In the document, each item of a list that yields tombstones is either a full item or
    a tombstone (apispec writes a list's items as one schema, so this adds the other)."""
    for page, tombstone in TOMBSTONES.items():
        name = tombstone.__name__.removesuffix("Schema")
        spec.components.schema(name, schema=tombstone)
        items = spec.components.schemas[page]["properties"]["items"]
        items["items"] = {"oneOf": [items["items"], {"$ref": f"#/components/schemas/{name}"}]}


def data_classes_of(schema: Schema) -> dict:
    """Field name -> data class, or (class, the classes of its objects) for nested ones."""
    classes = {}
    for name, field in schema.fields.items():
        inner = field.inner if isinstance(field, fields.List) else field
        if isinstance(inner, fields.Nested):
            classes[name] = (field.metadata[DATA_CLASS], data_classes_of(inner.schema))
        else:
            classes[name] = field.metadata[DATA_CLASS]
    return classes
