"""End to end in Chromium: a candidate uploads and watches grading; a reviewer reads and decides."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from harness.demo import zip_folder
from harness.reports.schema import Report
from tests.browser.fixtures import LiveServer, Watched, sign_in
from tests.jobs.real import BASELINE, grade_baseline_for_real


@pytest.fixture(scope="module")
def baseline_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return zip_folder(BASELINE, tmp_path_factory.mktemp("zips") / "baseline.zip")


def test_candidate_uploads_and_watches_grading(
    live_server: LiveServer, page: Watched, baseline_zip: Path
) -> None:
    token = live_server.invite()
    pg = page.page
    pg.goto(f"{live_server.url}/c/{token}")
    expect(pg.locator("h1").first).to_contain_text("upport")
    page.shot("candidate-task-page")
    pg.set_input_files("#file", str(baseline_zip))
    pg.fill("input[name=hours]", "3.5")
    pg.click("#upload-button")
    pg.wait_for_url(re.compile(rf"{re.escape(live_server.url)}/c/{token}/submissions/\d+"))
    status = pg.get_by_test_id("status")
    expect(status).to_have_text(re.compile("queued|running|graded"))
    page.shot("candidate-status-queued")
    # The page polls the API: it shows a stage finishing, then the end state, without a reload.
    expect(pg.locator("#stages li.finished").first).to_be_visible(timeout=120_000)
    expect(status).to_have_text("graded", timeout=180_000)
    expect(pg.locator('#stages li[data-stage="train"]')).to_have_class(re.compile("finished"))
    page.shot("candidate-status-graded")
    assert page.dialogs == []


def test_rejected_upload_shows_a_specific_message(
    live_server: LiveServer, page: Watched, tmp_path: Path
) -> None:
    token = live_server.invite("Robin Reject", "robin@example.com")
    bogus = tmp_path / "solution.txt"
    bogus.write_text("this is not an archive")
    pg = page.page
    pg.goto(f"{live_server.url}/c/{token}")
    pg.set_input_files("#file", str(bogus))
    pg.click("#upload-button")
    box = pg.get_by_test_id("upload-error-live")
    expect(box).to_be_visible()
    expect(box).to_contain_text(".zip")
    page.shot("candidate-upload-rejected")


def test_reviewer_reads_report_and_decides(live_server: LiveServer, page: Watched) -> None:
    real = grade_baseline_for_real()
    sid = live_server.add_graded(
        Report.model_validate(real["report"]), archive=real["archive"], name="Morgan Baseline"
    )
    pg = page.page
    sign_in(pg, live_server)
    page.shot("reviewer-dashboard")
    pg.goto(f"{live_server.url}/submissions?status=graded")
    pg.click(f'a[href="/submissions/{sid}"] >> nth=0')
    pg.wait_for_url(f"{live_server.url}/submissions/{sid}")
    # Anonymous review: the name is hidden until a decision.
    expect(pg.get_by_test_id("candidate")).to_contain_text("Candidate #")
    expect(pg.get_by_test_id("candidate")).not_to_contain_text("Morgan")
    plots = pg.locator("svg.plot")
    assert plots.count() >= 4
    for label in ("Confusion matrix", "Per-class F1 against the baseline", "Bootstrap intervals"):
        expect(pg.locator(f'svg[aria-label="{label}"]')).to_be_visible()
    box = pg.locator('svg[aria-label="Confusion matrix"]').bounding_box()
    assert box is not None and box["width"] > 200 and box["height"] > 200  # actually drawn
    expect(pg.locator("table.data.graders")).to_contain_text("accuracy")
    page.shot("reviewer-report")
    pg.check('input[name=outcome][value="advance"]')
    pg.fill("textarea[name=reason]", "Clean baseline, good tests.")
    # support-tickets asks for two scorecards first (issue 12); the admin decides without them.
    expect(pg.get_by_test_id("decision-blocked")).to_contain_text("scorecard")
    pg.check("input[name=override_review]")
    pg.click("text=Record decision")
    pg.wait_for_url(re.compile(rf"/submissions/{sid}"))
    expect(pg.locator("#decision")).to_contain_text("Clean baseline, good tests.")
    expect(pg.get_by_test_id("candidate")).to_contain_text("Morgan Baseline")
    page.shot("reviewer-decision-recorded")
    assert page.dialogs == []


def test_drag_and_drop_upload(live_server: LiveServer, page: Watched) -> None:
    import base64

    from tests.db.factories import SAMPLE_FILES, zip_bytes

    token = live_server.invite("Dana Drop", "dana@example.com")
    pg = page.page
    pg.goto(f"{live_server.url}/c/{token}")
    data = base64.b64encode(zip_bytes(SAMPLE_FILES)).decode()
    transfer = pg.evaluate_handle(
        """(b64) => {
            const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
            const dt = new DataTransfer();
            dt.items.add(new File([bytes], "dropped.zip", {type: "application/zip"}));
            return dt;
        }""",
        data,
    )
    pg.dispatch_event("#dropzone", "drop", {"dataTransfer": transfer})
    assert pg.eval_on_selector("#file", "el => el.files.length && el.files[0].name") == "dropped.zip"
    pg.click("#upload-button")
    pg.wait_for_url(re.compile(rf"/c/{token}/submissions/\d+"))
    expect(pg.locator("h1")).to_contain_text("dropped.zip")
