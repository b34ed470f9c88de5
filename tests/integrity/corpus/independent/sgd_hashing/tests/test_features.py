import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from tickets.features import featurize, normalise


def test_normalise_masks_urls_and_numbers():
    assert normalise("See https://x.io/a order 1234") == "see  url  order  num "


def test_featurize_has_one_row_per_ticket():
    rows = [{"subject": "a", "body": "b", "channel": "chat"}, {"subject": "c", "body": "d"}]
    assert featurize(rows).shape[0] == 2
