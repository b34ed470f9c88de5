from ticket_router.validation import cross_validate


def test_cross_validate_reports_each_fold_and_summary(frame):
    table = cross_validate(frame, folds=3)
    assert list(table.index) == ["0", "1", "2", "mean", "std"]
    assert set(table.columns) == {"accuracy", "macro_f1", "weighted_f1"}
    assert ((table >= 0) & (table <= 1)).all().all()
