import signal
import time


def test_quick() -> None:
    assert 1 + 1 == 2


def test_blocks_alarm_and_hangs() -> None:
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
    time.sleep(3600)
    assert True
