"""Re-encoding uploaded photos (pure: no app, no database)."""

from io import BytesIO

import pytest
from PIL import Image

from app.proposals.photos import MAX_BYTES, PhotoRejected, clean
from tests.proposals.conftest import image_bytes, jpeg_with_gps


def test_a_photo_becomes_a_fresh_jpeg_without_metadata():
    result = clean(jpeg_with_gps(size=(300, 200), orientation=6))
    with Image.open(BytesIO(result.full)) as image:
        assert image.format == "JPEG" and image.size == (200, 300)
        assert not image.getexif() and "exif" not in image.info
    assert b"Test Phone" not in result.full + result.thumb
    assert (result.width, result.height) == (200, 300)


@pytest.mark.parametrize("data", [b"", b"GIF89a", image_bytes("GIF"), image_bytes("BMP"),
                                  image_bytes("TIFF"), image_bytes()[:100]])
def test_only_jpeg_png_and_webp_are_accepted(data):
    with pytest.raises(PhotoRejected) as rejected:
        clean(data)
    assert rejected.value.code == "not_a_photo"


def test_the_size_limit_is_5_mb():
    padded = image_bytes() + b"\0" * (MAX_BYTES - len(image_bytes()))
    assert len(padded) == MAX_BYTES
    assert clean(padded).width == 64
    with pytest.raises(PhotoRejected) as rejected:
        clean(padded + b"\0")
    assert rejected.value.code == "too_large"


def test_a_small_file_that_decodes_to_a_huge_image_is_refused():
    out = BytesIO()
    Image.new("1", (10000, 10000)).save(out, "PNG")  # 100 megapixels, a few kilobytes
    assert len(out.getvalue()) < MAX_BYTES
    with pytest.raises(PhotoRejected):
        clean(out.getvalue())
