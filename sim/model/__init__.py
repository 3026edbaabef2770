"""The model's equations: one module per mechanism, each with small @njit functions
for one year's step of that mechanism.  The fast loop (:mod:`sim.kernel`) and the slow
reference (:mod:`sim.reference`) both call these, so every equation lives once.

Step functions use ``np.maximum``/``np.minimum`` (not ``max``/``min``) so that they
work on scalars (the kernel) and on arrays over paths (the reference) alike.
"""
