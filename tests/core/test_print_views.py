"""Every generated PDF has a page to print from the browser beside it (issue 15, item 7):
a phone's in-app browser (WeChat) often cannot open a PDF."""

from app.core.documents import FORMATS


def test_every_pdf_route_has_a_print_view_beside_it(app):
    rules = {rule.rule for rule in app.url_map.iter_rules()}
    pdfs = sorted(rule for rule in rules if rule.endswith(".pdf"))
    assert len(pdfs) >= 6, pdfs
    missing = [rule for rule in pdfs if rule.removesuffix(".pdf") + ".html" not in rules]
    assert not missing, f"PDFs without a print view: {missing}"
    # Documents offered in several formats (minutes, result notices) offer HTML among them.
    assert "html" in FORMATS and "pdf" in FORMATS
