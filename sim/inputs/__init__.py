"""The inputs layer: data tables (members, plans, share vintages), the macro
calibration file, and the checks of a config against them (:mod:`.check`)."""
