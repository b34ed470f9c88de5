import os

from hazards import fill, shout, spawn, spin, wipe


def test_spin_counts_up():
    assert spin(3) == 3


def test_wipe_is_a_dry_run_by_default():
    assert wipe(os.getcwd()) == "kept"
    assert os.path.exists("hazards.py")


def test_spawn_is_calm_by_default():
    assert spawn() == "calm"


def test_shout_is_quiet_by_default():
    assert shout() == "quiet"


def test_fill_writes_nothing_by_default(tmp_path):
    assert fill(tmp_path / "blob") == "small"
    assert not (tmp_path / "blob").exists()
