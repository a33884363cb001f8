"""Drafting a proposal with photos, resuming it, and submitting it."""

from io import BytesIO

from PIL import Image
from sqlalchemy import func, select

from app.community.models import MemberRole
from app.extensions import db
from app.proposals.models import Follow, Proposal, ProposalPhoto
from app.proposals.states import Status
from tests.proposals.conftest import image_bytes, jpeg_with_gps, photo, post_multipart


def _draft(**fields) -> dict:
    return {"title": "一楼大堂灯坏了", "body": "晚上**很黑**，老人容易摔倒。",
            "category": "facilities", "scope_kind": "community", **fields}


def _count(model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def _files(folder) -> list:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_a_resident_drafts_with_a_photo_and_resumes_on_another_device(
        app, place, login, uploads):
    resident = place.users["resident"]
    phone = login(resident, app.test_client())
    response = post_multipart(
        phone, f"/c/{place.community.id}/proposals/new",
        _draft(scope_kind="buildings", buildings=[str(place.building1.id)],
               photos=[photo(jpeg_with_gps(), "IMG_0001.jpg")]))
    proposal = db.session.execute(select(Proposal)).scalar_one()
    assert response.headers["Location"].endswith(f"/p/{proposal.id}")
    assert proposal.status == Status.DRAFT and proposal.author_id == resident.id
    assert proposal.body_html == "<p>晚上<strong>很黑</strong>，老人容易摔倒。</p>"
    assert [b.name for b in proposal.scope_buildings] == ["1栋"]
    assert len(proposal.photos) == 1

    laptop = login(resident, app.test_client())
    laptop.set_cookie("lang", "en")
    listing = laptop.get(f"/c/{place.community.id}/proposals").get_data(as_text=True)
    assert "My drafts" in listing and f"/p/{proposal.id}/edit" in listing
    form = laptop.get(f"/p/{proposal.id}/edit").get_data(as_text=True)
    assert 'value="一楼大堂灯坏了"' in form and "老人容易摔倒" in form
    assert f'name="buildings" value="{place.building1.id}" checked' in form
    post_multipart(laptop, f"/p/{proposal.id}/edit", _draft(title="一楼大堂灯坏了两周"))
    db.session.refresh(proposal)
    assert proposal.title == "一楼大堂灯坏了两周" and proposal.scope_buildings == []
    assert len(proposal.photos) == 1, "saving again keeps the photos"

    others = login(place.users["oc_chair"], app.test_client())
    others.set_cookie("lang", "en")
    assert "My drafts" not in others.get(
        f"/c/{place.community.id}/proposals").get_data(as_text=True)


def test_photos_lose_exif_and_gps_are_turned_upright_and_get_a_thumbnail(
        app, place, login, uploads):
    client = login(place.users["resident"], app.test_client())
    original = jpeg_with_gps(size=(3000, 1000), orientation=6)
    assert Image.open(BytesIO(original)).getexif().get_ifd(0x8825), "the test photo has GPS"
    post_multipart(client, f"/c/{place.community.id}/proposals/new",
                   _draft(photos=[photo(original, "IMG_0002.jpg")]))
    saved = db.session.execute(select(ProposalPhoto)).scalar_one()
    stored = uploads / f"{saved.stored_name}.jpg"
    thumb = uploads / f"{saved.stored_name}-thumb.jpg"
    assert _files(uploads) == sorted([stored.name, thumb.name])
    assert len(saved.stored_name) == 32 and "IMG" not in saved.stored_name
    for path in (stored, thumb):
        data = path.read_bytes()
        assert b"Exif" not in data and b"Test Phone" not in data
        with Image.open(path) as image:
            assert image.format == "JPEG"
            assert not image.getexif() and "exif" not in image.info
    with Image.open(stored) as image:
        # Orientation 6: a 3000 x 1000 sensor image is shown 1000 wide, 3000 high; then
        # the longest side is brought down to 2000.
        assert image.size == (667, 2000) == (saved.width, saved.height)
    with Image.open(thumb) as image:
        assert max(image.size) == 480

    response = client.get(f"/p/{saved.proposal_id}/photos/{saved.id}/thumb")
    assert response.mimetype == "image/jpeg" and response.data == thumb.read_bytes()
    assert "private" in response.headers["Cache-Control"]
    response.close()
    response = client.get(f"/p/{saved.proposal_id}/photos/{saved.id}")
    assert response.data == stored.read_bytes()
    response.close()


def test_png_and_webp_with_transparency_become_jpeg(app, place, login, uploads):
    client = login(place.users["resident"], app.test_client())
    post_multipart(client, f"/c/{place.community.id}/proposals/new",
                   _draft(photos=[photo(image_bytes("PNG", colour=(0, 0, 0, 0)), "a.png"),
                                  photo(image_bytes("WEBP"), "b.webp")]))
    stored = db.session.execute(select(ProposalPhoto).order_by(ProposalPhoto.position)
                                ).scalars().all()
    assert [p.position for p in stored] == [0, 1]
    with Image.open(uploads / f"{stored[0].stored_name}.jpg") as image:
        assert image.format == "JPEG" and image.getpixel((1, 1)) == (255, 255, 255)


def test_a_photo_over_5_mb_is_refused_and_the_text_is_kept(app, place, login, uploads, en):
    login(place.users["resident"])
    # A valid JPEG with padding after its end.
    big = image_bytes() + b"\0" * app.config["PHOTO_MAX_BYTES"]
    page = post_multipart(en, f"/c/{place.community.id}/proposals/new",
                          _draft(photos=[photo(image_bytes(), "small.jpg"),
                                         photo(big, "huge.jpg")]))
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "“huge.jpg” is larger than 5 MB" in html
    assert 'value="一楼大堂灯坏了"' in html and "老人容易摔倒" in html
    assert 'value="facilities" ' in html or 'selected value="facilities"' in html
    assert _count(Proposal) == 0 and _count(ProposalPhoto) == 0 and _files(uploads) == []


def test_the_photo_limits_are_the_settings(app, place, login, uploads, en, monkeypatch):
    monkeypatch.setitem(app.config, "PROPOSAL_MAX_PHOTOS", 2)
    monkeypatch.setitem(app.config, "PHOTO_MAX_BYTES", 1024 * 1024)
    login(place.users["resident"])
    url = f"/c/{place.community.id}/proposals/new"
    form = en.get(url).get_data(as_text=True)
    assert "Up to 2 photos, JPEG, PNG or WebP, at most 1 MB each." in form
    three = [photo(image_bytes(), f"{n}.jpg") for n in range(3)]
    html = post_multipart(en, url, _draft(photos=three)).get_data(as_text=True)
    assert "at most 2 photos; you can add 2 more" in html
    big = image_bytes() + b"\0" * 1024 * 1024
    html = post_multipart(en, url, _draft(photos=[photo(big, "big.jpg")])).get_data(as_text=True)
    assert "“big.jpg” is larger than 1 MB. Choose a smaller file." in html
    assert _count(Proposal) == 0 and _files(uploads) == []


def test_files_that_are_not_photos_are_refused(app, place, login, uploads, en):
    login(place.users["resident"])
    for name, data in (("animation.gif", image_bytes("GIF")), ("notes.jpg", b"not an image"),
                       ("broken.jpg", image_bytes()[:200])):
        html = post_multipart(en, f"/c/{place.community.id}/proposals/new",
                              _draft(photos=[photo(data, name)])).get_data(as_text=True)
        assert f"“{name}” is not a JPEG, PNG or WebP photo." in html, name
    assert _count(Proposal) == 0 and _files(uploads) == []


def test_at_most_six_photos_and_the_author_removes_one(app, proposals, login, en, uploads):
    login(proposals.users["resident"])
    draft = proposals.draft  # already has one photo

    def photos(count):
        return [photo(image_bytes(), f"{n}.jpg") for n in range(count)]

    html = post_multipart(en, f"/p/{draft.id}/edit",
                          _draft(title="改过的标题", photos=photos(6))).get_data(as_text=True)
    assert "at most 6 photos; you can add 5 more" in html and 'value="改过的标题"' in html
    db.session.refresh(draft)
    assert len(draft.photos) == 1 and draft.title == "草稿议题"

    post_multipart(en, f"/p/{draft.id}/edit", _draft(photos=photos(5)))
    db.session.refresh(draft)
    assert len(draft.photos) == 6
    assert len(_files(uploads)) == 2 * 7  # the open proposal's photo is there too

    first = draft.photos[0]
    fragment = en.post(f"/p/{draft.id}/photos/{first.id}/remove",
                       headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment and "Photo removed." in fragment
    assert "Remove photo 5" in fragment and "Remove photo 6" not in fragment
    assert not (uploads / f"{first.stored_name}.jpg").exists()
    assert not (uploads / f"{first.stored_name}-thumb.jpg").exists()
    assert db.session.execute(select(ProposalPhoto.id).where(
        ProposalPhoto.id == first.id)).first() is None


def test_the_draft_form_checks_every_field_and_keeps_what_was_typed(app, place, login, en,
                                                                    make_community):
    login(place.users["resident"])
    url = f"/c/{place.community.id}/proposals/new"
    elsewhere = make_community(name="隔壁小区", grids=("外网格",), buildings=("9栋",))
    cases = [
        (_draft(title=""), "This field is required."),
        (_draft(title="长" * 121), "Field cannot be longer than 120 characters."),
        (_draft(category=""), "Choose a category."),
        (_draft(category="lottery"), "Choose a category."),
        (_draft(scope_kind="grids"), "Choose at least one grid."),
        (_draft(scope_kind="buildings"), "Choose at least one building."),
        (_draft(scope_kind="grids", grids=[str(elsewhere.grids[0].id)]),
         "Choose only from the list."),
        (_draft(organisation=str(place.owners_committee.id)),
         "You can only post for an organisation where you are staff or chair."),
    ]
    for data, message in cases:
        response = en.post(url, data=data)
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and message in html, message
        assert "老人容易摔倒" in html, message
        assert "The draft was not saved" in html
    assert _count(Proposal) == 0


def test_staff_post_for_their_organisation_and_it_goes_straight_to_deliberation(
        app, place, login, en, make_user, add_member):
    staff = place.users["property_staff"]
    login(staff)
    form = en.get(f"/c/{place.community.id}/proposals/new").get_data(as_text=True)
    assert f'<option value="{place.property_company.id}">物业</option>' in form
    assert "业委会" not in form, "not staff there"
    en.post(f"/c/{place.community.id}/proposals/new",
            data=_draft(organisation=str(place.property_company.id)))
    proposal = db.session.execute(select(Proposal)).scalar_one()
    assert proposal.organisation_id == place.property_company.id
    en.post(f"/p/{proposal.id}/submit")
    db.session.refresh(proposal)
    assert proposal.status == Status.DELIBERATION
    page = en.get(f"/p/{proposal.id}").get_data(as_text=True)
    assert "Posted for 物业 by property_staff" in page


def test_a_mere_member_of_an_organisation_cannot_post_for_it(app, place, login, en, make_user,
                                                            add_member):
    member = make_user(name="普通成员")
    add_member(place.property_company, member, MemberRole.MEMBER)
    login(member)
    form = en.get(f"/c/{place.community.id}/proposals/new").get_data(as_text=True)
    assert "Post as" not in form
    html = en.post(f"/c/{place.community.id}/proposals/new",
                   data=_draft(organisation=str(place.property_company.id))
                   ).get_data(as_text=True)
    assert "You can only post for an organisation where you are staff or chair." in html
    assert _count(Proposal) == 0


def test_submitting_makes_it_public_and_grid_branches_follow(app, proposals, login, en):
    w = proposals
    login(w.users["resident"])
    draft = w.draft
    draft.scope_kind = "buildings"
    draft.scope_buildings = [w.building2]
    db.session.commit()
    assert w.users["oc_chair"] and en.post(f"/p/{draft.id}/submit").status_code == 302
    db.session.refresh(draft)
    assert draft.status == Status.COLLECTING and draft.published_at is not None
    followers = set(db.session.execute(select(Follow.user_id).where(
        Follow.proposal_id == draft.id)).scalars())
    assert followers == {w.users["resident"].id, w.branch2_member.id}
    page = en.get(f"/p/{draft.id}").get_data(as_text=True)
    assert "Submitted; collecting support" in page and "0 of 5 co-sponsors" in page
    again = en.post(f"/p/{draft.id}/submit", follow_redirects=True).get_data(as_text=True)
    assert "This cannot be done while the proposal is “Collecting support”." in again
    assert en.get(f"/p/{draft.id}/edit").status_code == 403, "only drafts are edited"


def test_a_whole_community_proposal_is_followed_by_every_grid_branch(app, proposals, login,
                                                                    en):
    login(proposals.users["resident"])
    en.post(f"/p/{proposals.draft.id}/submit")
    followers = set(db.session.execute(select(Follow.user_id).where(
        Follow.proposal_id == proposals.draft.id)).scalars())
    assert {proposals.branch1_member.id, proposals.branch2_member.id} <= followers


def test_an_empty_body_cannot_be_submitted(app, proposals, login, en):
    login(proposals.users["resident"])
    proposals.draft.body = "  "
    db.session.commit()
    page = en.post(f"/p/{proposals.draft.id}/submit", follow_redirects=True)
    assert "Write what the proposal is about before you submit it." in page.get_data(
        as_text=True)
    db.session.refresh(proposals.draft)
    assert proposals.draft.status == Status.DRAFT


def test_a_muted_author_cannot_submit(app, proposals, login):
    from datetime import timedelta

    from app.discussion.models import Mute
    from app.extensions import utcnow

    resident = proposals.users["resident"]
    db.session.add(Mute(community_id=proposals.community.id, user_id=resident.id,
                        until=utcnow() + timedelta(days=3), reason="刷屏",
                        created_by_id=proposals.users["moderator"].id))
    db.session.commit()
    client = login(resident)
    assert client.post(f"/p/{proposals.draft.id}/submit").status_code == 403
    assert client.get(f"/c/{proposals.community.id}/proposals/new").status_code == 403
    db.session.refresh(proposals.draft)
    assert proposals.draft.status == Status.DRAFT


def test_grid_branch_of_a_grid_follows_its_grid_only(app, place, login, en):
    login(place.users["resident"])
    en.post(f"/c/{place.community.id}/proposals/new",
            data=_draft(scope_kind="grids", grids=[str(place.grid1.id)]))
    proposal = db.session.execute(select(Proposal)).scalar_one()
    en.post(f"/p/{proposal.id}/submit")
    followers = set(db.session.execute(select(Follow.user_id).where(
        Follow.proposal_id == proposal.id)).scalars())
    assert place.branch1_member.id in followers and place.branch2_member.id not in followers


def test_several_large_photos_fit_in_one_request(app, place, login, uploads):
    """Two photos just under 5 MB each: more than the app's usual request limit."""
    assert app.config["MAX_CONTENT_LENGTH"] < 2 * 4_900_000
    client = login(place.users["resident"], app.test_client())
    large = image_bytes() + b"\0" * 4_900_000
    response = post_multipart(client, f"/c/{place.community.id}/proposals/new",
                              _draft(photos=[photo(large, "a.jpg"), photo(large, "b.jpg")]))
    assert response.status_code == 302
    assert _count(ProposalPhoto) == 2


def test_photos_are_served_only_under_their_own_proposal(app, proposals, login):
    client = login(proposals.users["oc_chair"], app.test_client())
    open_photo = proposals.open.photos[0]
    draft_photo = proposals.draft.photos[0]
    assert client.get(f"/p/{proposals.open.id}/photos/{draft_photo.id}").status_code == 404
    assert client.get(f"/p/{proposals.fund.id}/photos/{open_photo.id}/thumb").status_code == 404
    assert client.get(f"/p/{proposals.open.id}/photos/999999").status_code == 404


def _png_of(size) -> bytes:
    out = BytesIO()
    Image.new("1", size).save(out, "PNG")
    return out.getvalue()


def test_six_picture_bombs_in_one_form_get_a_clear_error(app, place, login, uploads, en):
    """Six 9400 × 9400 PNGs of 0.26 MB each used to take a gigabyte each to decode."""
    login(place.users["resident"])
    bomb = _png_of((9400, 9400))
    page = post_multipart(en, f"/c/{place.community.id}/proposals/new",
                          _draft(photos=[photo(bomb, f"{n}.png") for n in range(6)]))
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "“0.png” is a picture of more than 40 megapixels." in html
    assert 'value="一楼大堂灯坏了"' in html
    assert _count(Proposal) == 0 and _files(uploads) == []


def test_the_pixel_limit_is_a_setting(app, place, login, uploads, en, monkeypatch):
    monkeypatch.setitem(app.config, "PHOTO_MAX_PIXELS", 4_000_000)
    login(place.users["resident"])
    page = post_multipart(en, f"/c/{place.community.id}/proposals/new",
                          _draft(photos=[photo(_png_of((2001, 2000)), "wide.png")]))
    assert "more than 4 megapixels" in page.get_data(as_text=True)
    assert _count(Proposal) == 0
