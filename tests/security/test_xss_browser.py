"""Hostile text from candidates never runs in a reviewer's (or candidate's) browser.

Each payload sets a marker or opens a dialog if it runs. The pages are loaded in Chromium and
checked three ways: no dialog opened, no marker set, and no injected element or handler exists
in the DOM (so escaping is tested, not only the Content-Security-Policy behind it).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import httpx
from playwright.sync_api import Page

from harness.accounts.models import Reviewer
from harness.submissions.service import add_note
from tests.browser.fixtures import LiveServer, Watched, sign_in
from tests.db.factories import SAMPLE_FILES, make_report, zip_bytes

SCRIPT = "<script>window.__xss=1;alert('xss-script')</script>"
IMG = "<img src=x onerror=\"window.__xss=1;alert('xss-img')\">"
SVG = "<svg onload=\"window.__xss=1;alert('xss-svg')\"></svg>"
PAYLOADS = [
    SCRIPT,
    IMG,
    SVG,
    "\"><iframe src=javascript:alert('xss-iframe')>",
    "javascript:alert('xss-link')",
]

NOTEBOOK_HTML = (
    "<html><head><style>.c{color:red}</style></head><body><h1 class=c>Notebook output</h1>"
    f"<div class='output'>{SCRIPT}{IMG}{SVG}<a href=\"javascript:alert('xss-nb-link')\">click</a>"
    "<form action='https://evil.example'><input name=q></form>"
    "<iframe src='https://evil.example'></iframe><object data='x'></object></div></body></html>"
)
WRITEUP = (
    "# Approach\n\n"
    f"Raw HTML: {SCRIPT} {IMG}\n\n"
    "[a link](javascript:alert('xss-md-link')) and ![pic](https://evil.example/track.png)\n\n"
    f"<details open><summary>x</summary>{SVG}</details>\n"
)

INJECTED = """() => {
  const bad = [];
  const walk = (doc, where) => {
    for (const el of doc.querySelectorAll('*')) {
      for (const attr of el.getAttributeNames()) {
        if (attr.startsWith('on')) bad.push(`${where}: ${el.tagName} ${attr}`);
        if ((attr === 'href' || attr === 'src') && /^\\s*javascript:/i.test(el.getAttribute(attr)))
          bad.push(`${where}: ${el.tagName} ${attr}=javascript:`);
      }
      if (el.tagName === 'SCRIPT' && el.getAttribute('src') !== '/static/app.js') bad.push(`${where}: inline script`);
      if (el.tagName === 'IFRAME' && !el.hasAttribute('sandbox')) bad.push(`${where}: unsandboxed iframe`);
    }
  };
  walk(document, 'page');
  return {bad, marker: window.__xss === 1};
}"""


def _assert_clean(page: Watched, label: str) -> None:
    pg: Page = page.page
    result = pg.evaluate(INJECTED)
    assert result["bad"] == [], (label, result["bad"])
    assert result["marker"] is False, label
    for frame in pg.frames[1:]:
        inner = frame.evaluate(INJECTED)
        assert inner["bad"] == [] and inner["marker"] is False, (label, frame.url, inner)
    assert page.dialogs == [], (label, page.dialogs)


def _hostile_submission(server: LiveServer) -> tuple[int, str]:
    """A candidate named with a payload uploads a file named with one; graded report with payloads."""
    name = f"Eve {SCRIPT} {IMG}"
    token = server.invite("Eve Hostile", "eve@example.com", anonymous=False)
    filename = f"sol{IMG}.zip"
    files = {
        **SAMPLE_FILES,
        "WRITEUP.md": WRITEUP,
        f"x{IMG}.py": "print(1)\n",
        "train.py": f"# {SCRIPT}\nimport os\n",
    }
    r = httpx.post(
        f"{server.url}/api/c/{token}/submissions", files={"file": (filename, zip_bytes(files))}
    )
    assert r.status_code == 202, r.text
    sid = int(r.json()["id"])
    report = make_report(notebook_html=NOTEBOOK_HTML, writeup=WRITEUP, filename=filename)
    report.graders[2].findings[0] = (
        report.graders[2]
        .findings[0]
        .model_copy(update={"message": f"finding {IMG}", "file": "train.py", "line": 1})
    )
    archive = server.settings.blobs_dir
    with server.db.session() as s:
        from harness.submissions.models import Submission

        sub = s.get(Submission, sid)
        assert sub is not None
        blob = archive / sub.blob_key
    graded = server.add_graded(
        report, name="Eve Hostile", archive=blob, filename=filename, anonymous=False
    )
    with server.db.session(write=True) as s:
        from sqlalchemy import select, update

        from harness.invitations.models import Candidate
        from harness.submissions.models import Submission

        # The validation layer refuses such a name at the door (tests/api/test_validation_layer);
        # the pages must stay safe for rows that got in another way (older rows, an import).
        s.execute(update(Candidate).where(Candidate.name == "Eve Hostile").values(name=name))

        reviewer = s.scalar(select(Reviewer))
        sub = s.get(Submission, graded)
        assert reviewer is not None and sub is not None
        for payload in PAYLOADS:
            add_note(s, sub.id, reviewer, f"note {payload}")
    return graded, token


def test_xss_payloads_never_run_in_reviewer_pages(live_server: LiveServer, page: Watched) -> None:
    sid, _ = _hostile_submission(live_server)
    pg = page.page
    sign_in(pg, live_server)
    for url in (
        "/",
        "/submissions",
        f"/submissions/{sid}",
        f"/compare?a={sid}&b={sid}",
        "/invitations",
        f"/submissions/{sid}/files?path=train.py",
        "/audit",
    ):
        pg.goto(live_server.url + url)
        pg.wait_for_load_state("load")
        _assert_clean(page, url)
    pg.goto(f"{live_server.url}/submissions/{sid}")
    # The payloads are shown as text, proving they were escaped rather than dropped silently.
    body = pg.inner_text("body")
    assert "<script>window.__xss=1" in body and "onerror=" in body
    writeup = pg.get_by_test_id("writeup").inner_html()
    assert (
        "<h1>Approach</h1>" in writeup
        and "<img" in writeup
        and "src=" not in writeup.split("<img", 1)[1].split(">")[0]
    )
    # The notebook renders inside a sandboxed iframe, with its HTML but none of its scripts.
    frame = pg.frame_locator("iframe.notebook")
    assert frame.locator("h1").inner_text() == "Notebook output"
    assert pg.locator("iframe.notebook").get_attribute("sandbox") == ""
    _assert_clean(page, "report with notebook frame")
    page.shot("xss-report")


def test_xss_payloads_never_run_in_candidate_pages(live_server: LiveServer, page: Watched) -> None:
    _, token = _hostile_submission(live_server)
    pg = page.page
    pg.goto(f"{live_server.url}/c/{token}")
    _assert_clean(page, "task page")
    assert "<img src=x" in pg.inner_text("body")  # the file name, escaped
    pg.click("ul.uploads a")
    pg.wait_for_load_state("load")
    _assert_clean(page, "status page")


def test_notebook_served_alone_cannot_run_scripts(
    live_server: LiveServer, page: Watched, tmp_path: Path
) -> None:
    sid, _ = _hostile_submission(live_server)
    pg = page.page
    sign_in(pg, live_server)
    name = "notebooks/notebook.html"
    response = pg.goto(f"{live_server.url}/submissions/{sid}/notebook?name={name}")
    assert response is not None and "sandbox" in response.headers["content-security-policy"]
    pg.wait_for_load_state("load")
    _assert_clean(page, "notebook opened directly")
    assert hashlib.sha256(pg.content().encode()).hexdigest()  # rendered something
    assert pg.locator("h1").inner_text() == "Notebook output"
