from routing.text import prepare


def test_prepare_with_real_ticket():
    with open("data/sample_ticket.txt") as fh:
        body = fh.read()
    assert "wrote:" not in prepare("Re: help", body)
