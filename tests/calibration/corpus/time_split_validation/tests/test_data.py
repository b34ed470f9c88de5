import pandas as pd
import pytest

from tixclf.data import load, time_split


def test_time_split_puts_the_newest_tickets_in_validation(tickets):
    old, new = time_split(tickets.sample(frac=1, random_state=1), holdout_fraction=0.2)
    assert len(old) == 32 and len(new) == 8
    assert old["created_at"].max() < new["created_at"].min()


def test_time_split_treats_bad_timestamps_as_old(tickets):
    tickets.loc[0, "created_at"] = "not a date"
    old, _ = time_split(tickets)
    assert tickets.loc[0, "id"] in set(old["id"])


@pytest.mark.parametrize("fraction", [0, 1, 1.5])
def test_time_split_rejects_bad_fraction(tickets, fraction):
    with pytest.raises(ValueError):
        time_split(tickets, fraction)


def test_load_names_missing_columns(tmp_path, tickets):
    tickets.drop(columns=["channel"]).to_csv(tmp_path / "t.csv", index=False)
    with pytest.raises(KeyError, match="channel"):
        load(tmp_path / "t.csv")
