"""Analyses built on runs: backtest, calibration, sensitivity, requirement and the
forecast scores they use.  They call the engine and runner, never the reverse."""
