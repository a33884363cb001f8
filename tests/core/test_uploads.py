"""Cleaning uploaded photos and documents (pure: no app, no database)."""

from io import BytesIO

import pytest
from PIL import Image, ImageFile

from app.core.uploads import PDF, UploadRejected, clean_document, clean_photo
from tests.proposals.conftest import image_bytes, jpeg_with_gps

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000
PDF_BYTES = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n"


def _document(data: bytes, filename: str = "方案.pdf", pdf_max_bytes: int = 2 * MAX_BYTES):
    return clean_document(data, filename=filename, photo_max_bytes=MAX_BYTES,
                          photo_max_pixels=MAX_PIXELS,
                          pdf_max_bytes=pdf_max_bytes)


def test_a_photo_becomes_a_fresh_jpeg_without_metadata():
    result = clean_photo(jpeg_with_gps(size=(300, 200), orientation=6), max_bytes=MAX_BYTES,
                         max_pixels=MAX_PIXELS)
    with Image.open(BytesIO(result.data)) as image:
        assert image.format == "JPEG" and image.size == (200, 300)
        assert not image.getexif() and "exif" not in image.info
    assert b"Test Phone" not in result.data + result.thumb
    assert (result.width, result.height) == (200, 300)


@pytest.mark.parametrize("data", [b"", b"GIF89a", image_bytes("GIF"), image_bytes("BMP"),
                                  image_bytes("TIFF"), image_bytes()[:100]])
def test_only_jpeg_png_and_webp_are_accepted(data):
    with pytest.raises(UploadRejected) as rejected:
        clean_photo(data, max_bytes=MAX_BYTES, max_pixels=MAX_PIXELS)
    assert rejected.value.code == "not_a_photo"


@pytest.mark.parametrize("limit", [MAX_BYTES, 1024 * 1024])
def test_the_size_limit_is_the_one_given(limit):
    padded = image_bytes() + b"\0" * (limit - len(image_bytes()))
    assert len(padded) == limit
    assert clean_photo(padded, max_bytes=limit, max_pixels=MAX_PIXELS).width == 64
    with pytest.raises(UploadRejected) as rejected:
        clean_photo(padded + b"\0", max_bytes=limit, max_pixels=MAX_PIXELS)
    assert (rejected.value.code, rejected.value.limit) == ("too_large", limit)


def _png_of(size) -> bytes:
    out = BytesIO()
    Image.new("1", size).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def decoded(monkeypatch):
    """Every picture Pillow decodes, by size."""
    sizes = []
    real_load = ImageFile.ImageFile.load

    def load(image):
        sizes.append(image.size)
        return real_load(image)

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)
    return sizes


@pytest.mark.parametrize("size", [(9400, 9400), (10000, 10000), (40_000, 40_000)])
def test_a_small_file_of_too_many_pixels_is_refused_without_being_decoded(size, decoded):
    """9400 × 9400 (88 megapixels, 0.26 MB) is under Pillow's own bomb limit: it took 8 s and
    1 GB before its size was checked."""
    data = _png_of(size)
    assert len(data) < MAX_BYTES
    with pytest.raises(UploadRejected) as rejected:
        clean_photo(data, max_bytes=MAX_BYTES, max_pixels=MAX_PIXELS, filename="大图.png")
    assert (rejected.value.code, rejected.value.limit) == ("too_many_pixels", MAX_PIXELS)
    assert "more than 40 megapixels" in rejected.value.message("大图.png")
    assert decoded == []


def test_the_pixel_limit_is_the_one_given(decoded):
    data = _png_of((100, 50))
    assert clean_photo(data, max_bytes=MAX_BYTES, max_pixels=5000).width == 100
    with pytest.raises(UploadRejected) as rejected:
        clean_photo(data, max_bytes=MAX_BYTES, max_pixels=4999)
    assert rejected.value.code == "too_many_pixels"
    assert set(decoded) == {(100, 50)}, "only the accepted one was decoded"


def test_a_large_jpeg_is_decoded_at_a_fraction_of_its_size(decoded):
    data = image_bytes("JPEG", size=(6000, 4000))
    result = clean_photo(data, max_bytes=MAX_BYTES, max_pixels=MAX_PIXELS)
    assert (result.width, result.height) == (2000, 1333)
    assert decoded and all(w * h < 6000 * 4000 / 3 for w, h in decoded)


def test_a_pdf_is_kept_as_it_is_under_the_uploaders_name_without_folders():
    result = _document(PDF_BYTES, filename="C:\\Users\\王\\物业费方案.final.PDF")
    assert (result.data, result.content_type, result.thumb) == (PDF_BYTES, PDF, None)
    assert result.download_name == "物业费方案.final.pdf"


def test_a_photo_among_documents_is_cleaned_and_named_jpg():
    result = _document(jpeg_with_gps(), filename="IMG_0001.HEIC")
    assert result.content_type == "image/jpeg" and result.download_name == "IMG_0001.jpg"
    assert b"Test Phone" not in result.data and result.thumb


def test_documents_have_their_own_limits_and_anything_else_is_refused():
    pdf = PDF_BYTES + b"\0" * (1024 * 1024)
    assert _document(pdf, pdf_max_bytes=len(pdf)).data == pdf
    with pytest.raises(UploadRejected) as too_large:
        _document(pdf, pdf_max_bytes=len(pdf) - 1)
    assert (too_large.value.code, too_large.value.limit) == ("too_large", len(pdf) - 1)
    with pytest.raises(UploadRejected) as photo_too_large:
        _document(image_bytes() + b"\0" * MAX_BYTES)
    assert (photo_too_large.value.code, photo_too_large.value.limit) == ("too_large", MAX_BYTES)
    with pytest.raises(UploadRejected) as other:
        _document(b"MZ not a document", filename="setup.exe")
    assert other.value.code == "not_accepted"


def test_the_message_names_the_file_and_the_limit_in_megabytes():
    assert UploadRejected("too_large", 10 * 1024 * 1024).message("大.pdf") == (
        "“大.pdf” is larger than 10 MB. Choose a smaller file.")
