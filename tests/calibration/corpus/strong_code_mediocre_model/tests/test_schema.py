import pandas as pd
import pytest

from helpdesk.schema import SchemaError, TicketTable, read_table


def test_read_table_returns_ids_and_labels(labelled_csv):
    table = read_table(labelled_csv, labelled=True)
    assert len(table.ids) == 18 and table.labels[0] == "account_access"


def test_unknown_queue_is_rejected(tmp_path):
    path = tmp_path / "x.csv"
    pd.DataFrame({"id": ["1"], "subject": ["a"], "body": ["b"], "label": ["sales"]}).to_csv(path, index=False)
    with pytest.raises(SchemaError, match="sales"):
        read_table(path, labelled=True)


def test_missing_column_is_rejected(tmp_path):
    path = tmp_path / "x.csv"
    pd.DataFrame({"id": ["1"], "subject": ["a"]}).to_csv(path, index=False)
    with pytest.raises(SchemaError, match="body"):
        read_table(path, labelled=False)


def test_unlabelled_table_has_no_labels():
    table = TicketTable(pd.DataFrame({"id": ["1"], "subject": ["a"], "body": ["b"]}), labelled=False)
    with pytest.raises(SchemaError):
        _ = table.labels
