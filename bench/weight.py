"""What a phone downloads on its first visit: the compressed weight of the heaviest page with
its stylesheet, script and icon, as the app serves them (gzip, hashed static names).

Run by hand (not part of the suite):

    .venv/bin/python bench/weight.py

It loads the demo community (``flask seed-demo``) into a fresh SQLite database in a temp
dir, then, as the anonymous visitor and as each of a few demo people (the committee chair,
the community administrator, the owner of three units, a tenant), follows every link of
the site from the home page (GET only, up to 400 pages each) with ``Accept-Encoding: gzip``;
a GET form's buttons count as links, so that the print views of paper ballots and canvass
lists (the whole roll) are measured with the other print views (``templates/print/``).
For each HTML page it adds the gzipped bytes of the page to those of the static files the
page links (a first visit has none of them cached), and prints the ten heaviest first loads,
the heaviest of each kind of print view, and the cache headers of the login page and of the
lists (bf-cache needs them without ``no-store``).
"""

import gzip
import re
import sys
import tempfile
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app  # noqa: E402
from app.demo import DEMO_PASSWORD, seed_demo  # noqa: E402
from app.extensions import db  # noqa: E402

PEOPLE = {
    "visitor": None,
    "committee chair": "13800000003",
    "community admin": "13800000002",
    "owner of three units": "13900009999",
    "tenant": "13800000013",
}
GZIP = {"Accept-Encoding": "gzip"}
MAX_PAGES = 400
LINK = re.compile(r'(?:href|formaction)="(/[^"]*)"')
# The print views beside the PDFs: /polls/1/ballots.html, /meetings/2/minutes.html?version=1
PRINT_VIEW = re.compile(r"/(?:poster|ballots|canvass|slips|notice|minutes|draft)\.html\b")
ASSET = re.compile(r'(?:href|src)="(/static/[^"]+)"')


def _log_in(client, phone: str) -> None:
    page = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post("/auth/login", data={"csrf_token": token, "phone": phone,
                                                "password": DEMO_PASSWORD})
    assert response.status_code == 302, f"login of {phone} failed"


def _crawl(client, asset_sizes: dict[str, int]) -> list[tuple[int, int, str]]:
    """(first-load bytes, page bytes, path) of every HTML page reached from the home page."""
    seen, queue, loads = set(), ["/"], []
    while queue and len(seen) < MAX_PAGES:
        path = queue.pop(0)
        if path in seen or path.startswith("/static/"):
            continue
        seen.add(path)
        response = client.get(path, headers=GZIP)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        body = response.data
        html = (gzip.decompress(body)
                if response.headers.get("Content-Encoding") == "gzip" else body).decode()
        assets = set(ASSET.findall(html))
        for asset in assets - asset_sizes.keys():
            asset_sizes[asset] = len(client.get(asset, headers=GZIP).data)
        loads.append((len(body) + sum(asset_sizes[a] for a in assets), len(body), path))
        for link in LINK.findall(html):
            link = urldefrag(link.replace("&amp;", "&")).url
            if urlsplit(link).path not in ("/auth/logout",) and link not in seen:
                queue.append(link)
    return loads


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        app = create_app("testing", {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(folder) / 'weight.db'}",
            "RATELIMIT_ENABLED": False, "INSIGHTS_CACHE_SECONDS": 0})
        with app.app_context():
            db.create_all()
            seed_demo()
            db.session.commit()
        asset_sizes: dict[str, int] = {}
        everything = []
        for who, phone in PEOPLE.items():
            client = app.test_client()
            if phone:
                _log_in(client, phone)
            loads = _crawl(client, asset_sizes)
            everything += [(total, page, path, who) for total, page, path in loads]
            print(f"{who}: {len(loads)} pages")
        print("\nstatic files, gzipped as served:")
        for asset, size in sorted(asset_sizes.items()):
            print(f"  {size / 1024:6.1f} KB  {asset}")
        print("\nheaviest first loads (page + its static files, gzipped):")
        for total, page, path, who in sorted(everything, reverse=True)[:10]:
            print(f"  {total / 1024:6.1f} KB  (page {page / 1024:5.1f} KB)  {path}  [{who}]")
        print("\nprint views, the heaviest of each kind (page + its static files, gzipped):")
        heaviest: dict[str, tuple] = {}
        for load in sorted(everything, reverse=True):
            kind = PRINT_VIEW.search(load[2])
            if kind and kind.group(0) not in heaviest:
                heaviest[kind.group(0)] = load
        for total, page, path, who in heaviest.values():
            print(f"  {total / 1024:6.1f} KB  (page {page / 1024:5.1f} KB)  {path}  [{who}]")
        client = app.test_client()
        print("\nCache-Control:")
        print(f"  /auth/login: {client.get('/auth/login').headers['Cache-Control']}")
        _log_in(client, PEOPLE["community admin"])
        for path in sorted({path for _, _, path, _ in everything
                            if re.fullmatch(r"/c/\d+/(proposals|notices|meetings)", path)}):
            print(f"  {path}: {client.get(path).headers['Cache-Control']}")


if __name__ == "__main__":
    main()
