"""The calibration corpus is candidate code: pytest must never collect it on the host."""

collect_ignore_glob = ["corpus/*"]
