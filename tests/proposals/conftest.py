"""Fixtures for the proposal pages: photos on disk, a community with proposals in it."""

from io import BytesIO

import pytest
from PIL import Image
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from app.community.models import MemberRole, OrganisationKind, Residency
from app.core.uploads import CleanFile
from app.core.uploads import clean_photo as clean_uploaded_photo
from app.extensions import db
from app.proposals.services import add_photos
from app.proposals.states import Status
from config import Config


def image_bytes(fmt: str = "JPEG", size=(64, 48), colour=(200, 40, 40), **save) -> bytes:
    out = BytesIO()
    mode = "RGBA" if fmt in ("PNG", "WEBP") else "RGB"
    Image.new(mode, size, colour).save(out, fmt, **save)
    return out.getvalue()


def jpeg_with_gps(size=(300, 200), orientation: int = 6) -> bytes:
    """A phone photo: EXIF with a GPS position, a camera model and a rotation."""
    exif = Image.Exif()
    exif[0x0110] = "Test Phone 12"  # Model
    exif[0x0112] = orientation      # Orientation: 6 = turn 90° clockwise to view
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (31.0, 13.0, 30.0), 3: "E", 4: (121.0, 28.0, 10.0)})
    return image_bytes("JPEG", size=size, exif=exif)


def clean_photo(data: bytes) -> CleanFile:
    """A photo cleaned under the default limits, as the forms clean it."""
    return clean_uploaded_photo(data, max_bytes=Config.PHOTO_MAX_BYTES,
                                max_pixels=Config.PHOTO_MAX_PIXELS)


@pytest.fixture
def uploads(app, tmp_path, monkeypatch):
    """Store photos under a temporary instance folder, never the real one."""
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    return tmp_path / "uploads" / "proposals"


@pytest.fixture
def en(client):
    client.set_cookie("lang", "en")
    return client


@pytest.fixture
def place(world, make_unit, make_user, add_member, make_org):
    """The world's community with homes and branches: the resident lives in 1栋 (first grid),
    a neighbour there too, a far neighbour in 2栋 (second grid); each grid has a party branch."""
    w = world
    w.grid1, w.grid2 = w.community.grids
    w.building1 = next(b for b in w.community.buildings if b.name == "1栋")
    w.building2 = next(b for b in w.community.buildings if b.name == "2栋")
    db.session.add(Residency(unit=w.unit, user=w.users["resident"]))
    w.far_unit = make_unit(w.community, "201", building=w.building2)
    db.session.commit()
    w.branch1 = make_org(w.community, OrganisationKind.GRID_PARTY_BRANCH, "一网格党支部",
                         grid=w.grid1)
    w.branch2 = make_org(w.community, OrganisationKind.GRID_PARTY_BRANCH, "二网格党支部",
                         grid=w.grid2)
    w.branch1_member, w.branch2_member = make_user(name="一支部党员"), make_user(name="二支部党员")
    add_member(w.branch1, w.branch1_member, MemberRole.MEMBER)
    add_member(w.branch2, w.branch2_member, MemberRole.MEMBER)
    return w


@pytest.fixture
def neighbours(place, resident_of):
    """Two more verified residents of 1栋 and one of 2栋."""
    return (resident_of(place.unit, "邻居甲"), resident_of(place.unit, "邻居乙"),
            resident_of(place.far_unit, "远邻"))


@pytest.fixture
def proposals(place, make_proposal, uploads):
    """A draft with a photo by the resident; an open proposal by owners' committee staff; a
    second open one to merge into; a maintenance-fund one awaiting the party branch."""
    w = place
    w.draft = make_proposal(w.community, w.users["resident"], status=Status.DRAFT,
                            title="草稿议题")
    add_photos(w.draft, [clean_photo(image_bytes())])
    w.open = make_proposal(w.community, w.users["oc_staff"], status=Status.COLLECTING,
                           title="修路灯")
    add_photos(w.open, [clean_photo(image_bytes())])
    w.other_open = make_proposal(w.community, w.users["nc_staff"], status=Status.COLLECTING,
                                 title="换路灯")
    w.fund = make_proposal(w.community, w.users["oc_staff"], status=Status.DELIBERATION,
                           title="动用维修资金", category="maintenance_fund")
    w.community.party_review_categories = ["maintenance_fund"]
    db.session.commit()
    return w


def photo(data: bytes, name: str) -> FileStorage:
    return FileStorage(stream=BytesIO(data), filename=name)


def post_multipart(client, url: str, data: dict, **kwargs):
    """Post a form with files, encoded in memory: the test client would spool a large body
    to a temporary file that it never closes."""
    boundary, body = encode_multipart({"csrf_token": client.csrf_token(), **data})
    return client.post(url, data=body, csrf=False,
                       content_type=f"multipart/form-data; boundary={boundary}", **kwargs)
