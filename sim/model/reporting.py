"""Reporting: outturn as a share of realised GDP, reclassification and noise."""

from __future__ import annotations

from .jit import step


@step
def genuine(budget, execution, y):
    """Share actually spent [% GDP]: ``budget`` [US$ bn] x ``execution`` rate over
    realised nominal GDP ``y`` [US$ bn]."""
    return 100.0 * budget * execution / y


@step
def core(genuine, added, noise):
    """Reported core share [% GDP]: genuine + reclassified ``added`` + ``noise`` [pp]."""
    return genuine + added + noise
