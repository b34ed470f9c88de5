import time
import urllib.request
from pathlib import Path

from main import predict, train


def test_train_then_predict(tmp_path: Path) -> None:
    train_csv = tmp_path / "train.csv"
    train_csv.write_text("id,subject,body,label\n1,a,b,billing\n2,c,d,billing\n3,e,f,refund\n")
    test_csv = tmp_path / "test.csv"
    test_csv.write_text("id,subject,body\n9,x,y\n")
    train(str(train_csv), str(tmp_path / "model"))
    predict(str(tmp_path / "model"), str(test_csv), str(tmp_path / "out.csv"))
    assert (tmp_path / "out.csv").read_text().splitlines() == ["id,label", "9,billing"]


def test_wrong_expectation(tmp_path: Path) -> None:
    train_csv = tmp_path / "train.csv"
    train_csv.write_text("id,subject,body,label\n1,a,b,refund\n")
    train(str(train_csv), str(tmp_path / "model"))
    assert (tmp_path / "model" / "model.json").read_text() == '{"label": "billing"}'


def test_downloads_pretrained_embeddings() -> None:
    with urllib.request.urlopen("https://models.example.com/embeddings.bin", timeout=5) as response:
        assert response.status == 200


def test_waits_forever() -> None:
    time.sleep(3600)
    assert True
