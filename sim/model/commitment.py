"""Commitments: the share a government has committed to, revised at events."""

from __future__ import annotations

import numpy as np

from .jit import step


@step
def velocity(v, momentum, jump, plan, recession, consolidation):
    """This year's revision [pp]: ``momentum`` x last year's ``v`` [pp] (a ramp-up, once
    begun, goes on), plus the revision ``jump`` [fraction] of last year's planned share
    ``plan`` [% GDP], less ``consolidation`` [pp] if last year was a ``recession`` (1 or
    0)."""
    return momentum * v + jump * plan - consolidation * recession


@step
def committed(path, offset, shift, level):
    """Committed share [% GDP]: the target ``path`` plus the alliance-wide ``offset``
    (threat, US stance) and the member's own ``shift`` [pp], never below 0; once the
    path has reached the alliance ``level`` (the commitment is due), never below it:
    a met commitment is a floor (a ratchet: under the 2% pledge, 94% of Allies at 2%
    were at 2% the next year, NATO July-2026 edition 2014-2026)."""
    due = path >= level
    return np.maximum(path + offset + shift, level * due)


@step
def anchor(path, offset):
    """Where the adjusting part of the plan heads [% GDP]: the target ``path`` plus the
    alliance-wide ``offset`` [pp], never below 0 (the plan is this part plus the own
    revisions, which pass into the budget at once: :func:`planned`)."""
    return np.maximum(path + offset, 0.0)


@step
def planned(adjusting, shift):
    """Planned share [% GDP]: the part adjusting toward the :func:`anchor` at the speed
    will allows, plus the member's own revisions ``shift`` [pp]; never below 0."""
    return np.maximum(adjusting + shift, 0.0)


@step
def acting(commit, path, offset):
    """The part of the member's own revisions [pp] that acts on the plan: what the
    committed share ``commit`` adds to ``path`` + ``offset``.  Below a binding floor
    the revisions do not act, but they are not undone either: the member's own
    shift carries on (a later rise starts from where the revisions left it, and an
    alliance-wide shift is never turned into an own one)."""
    return commit - path - offset
