"""What a candidate is told about a failed stage, and what never reaches them (issue 11)."""

from __future__ import annotations

from harness.submissions.stage_reasons import (
    candidate_stage_message,
    last_error_line,
    reasons_from_report,
)

HELDOUT_TEXT = "my parcel from order 88123 never arrived and nobody answers"
"""Stands for a held-out ticket a predict stage could print."""

TRACEBACK = """Traceback (most recent call last):
  File "/work/train.py", line 3, in <module>
    import xgboost
ModuleNotFoundError: No module named 'xgboost'
"""


def _stage(name: str, verdict: str, message: str = "", log: str = "") -> dict[str, object]:
    return {"name": name, "verdict": verdict, "message": message, "log_tail": log}


def test_a_training_crash_shows_its_last_error_line_and_what_to_do() -> None:
    [reason] = reasons_from_report([_stage("train", "failed", "exit code 1", TRACEBACK)])
    assert reason.stage == "train" and reason.verdict == "failed"
    assert "Training failed (exit code 1)" in reason.reason
    assert "ModuleNotFoundError: No module named 'xgboost'" in reason.reason
    assert "ENVIRONMENT.txt" in reason.reason


def test_failing_tests_show_pytest_summary() -> None:
    log = "F.\n=========== 1 failed, 1 passed in 0.12s ===========\n"
    [reason] = reasons_from_report([_stage("tests", "failed", "exit code 1", log)])
    assert "1 failed, 1 passed" in reason.reason


def test_a_prediction_crash_names_the_builtin_exception_but_never_its_message() -> None:
    log = f"{HELDOUT_TEXT}\nTraceback ...\nValueError: could not convert string: '{HELDOUT_TEXT}'\n"
    [reason] = reasons_from_report([_stage("predict", "failed", "exit code 1", log)])
    assert "ValueError" in reason.reason and "held-out" in reason.reason
    assert HELDOUT_TEXT not in reason.reason and "88123" not in reason.reason


def test_a_made_up_exception_name_from_a_stage_with_held_out_data_is_not_echoed() -> None:
    log = "MyParcelNeverArrivedError: x\n"  # a class name could smuggle text out
    [reason] = reasons_from_report([_stage("notebook", "failed", "exit code 1", log)])
    assert "MyParcel" not in reason.reason and "not shown" in reason.reason


def test_score_problems_keep_their_counts_but_not_the_values_they_quote() -> None:
    message = (
        f"3 predictions use labels outside the label set, first: '{HELDOUT_TEXT[:40]}' (3); "
        "valid labels: billing, refund; 2 ids missing, first: 'T-001', 'T-002'"
    )
    [reason] = reasons_from_report([_stage("score", "failed", message)])
    assert "3 predictions use labels outside the label set" in reason.reason
    assert "2 ids missing" in reason.reason
    assert HELDOUT_TEXT[:20] not in reason.reason and "T-001" not in reason.reason
    live = candidate_stage_message("score", "failed", message)
    assert HELDOUT_TEXT[:20] not in live and "2 ids missing" in live


def test_limits_and_harness_trouble_are_named_without_internals() -> None:
    reasons = reasons_from_report(
        [
            _stage("train", "timed_out", "killed after 600 s wall-clock limit"),
            _stage("predict", "out_of_memory", "out of memory (limit 4096 MiB)"),
            _stage("tests", "infra_error", "Docker could not start the container tests-91ab"),
            _stage("tests", "no_tests"),
        ]
    )
    texts = [r.reason for r in reasons]
    assert "ran past its time limit (killed after 600 s wall-clock limit)" in texts[0]
    assert "ran out of memory (out of memory (limit 4096 MiB))" in texts[1]
    assert "problem on our side" in texts[2] and "Docker" not in texts[2]
    assert "found no tests" in texts[3]


def test_successful_and_skipped_stages_give_no_reason() -> None:
    assert reasons_from_report([_stage("train", "ok"), _stage("predict", "skipped", "train failed")]) == []


def test_live_messages_of_stages_with_held_out_data_are_dropped() -> None:
    assert candidate_stage_message("predict", "ok", HELDOUT_TEXT) == ""
    assert candidate_stage_message("predict", "failed", HELDOUT_TEXT) == ""
    # Near miss: the runner's own words pass, for every stage.
    assert candidate_stage_message("predict", "failed", "exit code 1") == "exit code 1"
    assert (
        candidate_stage_message("notebook", "timed_out", "killed after 1200 s wall-clock limit")
        == "killed after 1200 s wall-clock limit"
    )
    assert candidate_stage_message("train", "ok", "exit code 0") == "exit code 0"
    assert candidate_stage_message("tests", "infra_error", "Docker daemon gone") != "Docker daemon gone"


def test_last_error_line() -> None:
    assert last_error_line(TRACEBACK) == "ModuleNotFoundError: No module named 'xgboost'"
    assert last_error_line("all good\n") is None


def test_the_harness_probes_never_read_as_a_failed_stage_but_predict_still_does() -> None:
    stages = [
        _stage("predict", "ok"),
        # a real predictor fails without its trained model: that is the probe working
        _stage("predict_nomodel", "failed", "exit code 1", f"FileNotFoundError: {HELDOUT_TEXT}"),
        _stage("mutation", "timed_out", "killed after 150 s"),
    ]
    assert reasons_from_report(stages) == []
    [reason] = reasons_from_report([_stage("predict", "failed", "exit code 1", "ValueError: x")])
    assert reason.stage == "predict" and "ValueError" in reason.reason


def test_the_model_server_is_a_stage_of_the_candidates_with_held_out_text_kept_out() -> None:
    [reason] = reasons_from_report(
        [_stage("serve", "failed", f"answered 500 to {HELDOUT_TEXT}", f"KeyError: {HELDOUT_TEXT}")]
    )
    assert reason.reason.startswith("Your model server failed.")
    assert "KeyError" in reason.reason and "[serve]" in reason.reason
    assert HELDOUT_TEXT not in reason.reason
    assert candidate_stage_message("serve", "failed", f"answered 500 to {HELDOUT_TEXT}") == ""
    assert candidate_stage_message("serve", "timed_out", "killed after 240 s") == "killed after 240 s"
    assert candidate_stage_message("predict_nomodel", "failed", HELDOUT_TEXT) == ""
