from pathlib import Path

from ticket_router.data import Ticket, load_tickets


def test_load_tickets_reads_optional_label(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("id,subject,body,channel\nT-1,Hi,Broken reader,chat\n", encoding="utf-8")
    (ticket,) = load_tickets(path)
    assert ticket == Ticket("T-1", "Hi", "Broken reader", "chat", None)
    assert ticket.text == "Hi. Broken reader"
