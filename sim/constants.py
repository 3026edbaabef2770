"""Names, units and long names of dimensions and variables: the one place they live."""

# Dimensions / coordinates
MEMBER = "member"
YEAR = "year"
TARGET = "target"
QUANTILE = "quantile"
COUNT = "count"
PATH = "path"
REGIME = "regime"
STANCE = "us_stance"
REVIEW = "review_outcome"
TARGET_YEAR = "target_year"
CONDITION = "condition"
SAMPLE = "sample"
SCENARIO = "scenario"
SCENARIO_B = "scenario_b"
"""The second scenario of a pair (a sweep's joint probabilities)."""
FORECASTER = "forecaster"
BIN = "bin"
ORIGIN = "origin"
"""Last year of data a forecast uses (the base year it starts from)."""
THRESHOLD = "threshold"
OUTPUT = "output"
PARAM_GROUP = "group"
"""A parameter group of the sensitivity analysis."""

GROUPS = ("frontline", "core", "constrained", "us")
"""Threat-exposure / policy groups with their own parameters (Iceland is 'none')."""

MEASURES = ("core", "total")

RESULT_FILE = "results.nc"
CONFIG_FILE = "config.yaml"

# Units are UDUNITS strings (CF-1.10 3.1). Money has none: CF's advice for non-physical
# units is a dimensionless unit with the currency in the long_name, so US$ billions
# carry units "1e9" (value x 1e9 = US$) and name the currency and price basis.
USD_BN = "1e9"
PP_PER_YEAR = "percent year-1"
"""Percentage points of GDP per year."""

# name -> (long_name, units)
VARIABLES: dict[str, tuple[str, str]] = {
    "p_meet": ("probability that the measure is at or above the target level", "1"),
    "p_meet_se": ("Monte Carlo standard error of p_meet", "1"),
    "p_meet_by": (
        "probability that the target was met in at least one year up to this year",
        "1",
    ),
    "p_meet_by_se": ("Monte Carlo standard error of p_meet_by", "1"),
    "core_share": (
        "quantiles of core defence expenditure (NATO definition)",
        "percent",
    ),
    "total_share": (
        "quantiles of total: core plus counted security/resilience spending (capped)",
        "percent",
    ),
    "resilience_share": (
        "quantiles of counted security/resilience spending (capped)",
        "percent",
    ),
    "core_share_mean": ("mean core defence expenditure", "percent"),
    "total_share_mean": ("mean total (core plus counted resilience)", "percent"),
    "alliance_core_share": (
        "quantiles of the GDP-weighted alliance core defence share",
        "percent",
    ),
    "alliance_total_share": (
        "quantiles of the GDP-weighted alliance total (core plus resilience) share",
        "percent",
    ),
    "p_alliance_meet": (
        "probability that the GDP-weighted alliance share is at or above the level",
        "1",
    ),
    "n_meeting": (
        "probability that exactly `count` counted members meet the target",
        "1",
    ),
    "n_meeting_mean": ("expected number of counted members meeting the target", "1"),
    "base_share": ("core defence share in the base year (NATO estimate)", "percent"),
    "target_path": (
        "core share the member's plan aims at if the review keeps the path",
        "percent",
    ),
    "gdp_base": ("nominal GDP in the base year, billion US$ at current prices", USD_BN),
    "counted": ("1 if the member counts toward core targets and counts", "1"),
    "p_on_path": (
        "probability that the core share was at or above the linear path from the base "
        "year to the core level at the deadline in every year so far",
        "1",
    ),
    "shortfall_usd": (
        "expected shortfall below the target level (zero where met), billion US$ at "
        "base-year prices and exchange rates",
        USD_BN,
    ),
    "alliance_shortfall_usd": (
        "expected sum over counted members of the shortfall below the target level, "
        "billion US$ at base-year prices and exchange rates",
        USD_BN,
    ),
    "debt_share": ("quantiles of general government gross debt", "percent"),
    "p_regime": ("probability of each threat regime", "1"),
    "p_us_stance": ("probability of each US stance", "1"),
    "p_review": ("probability of each outcome of the 2029 review", "1"),
    "p_meet_given": (
        "probability that the target is met in the target year given the condition "
        "(threat regime and US stance that year; a fall in alliance real GDP so far)",
        "1",
    ),
    "n_meeting_mean_given": (
        "expected number of members meeting, given the condition",
        "1",
    ),
    "p_condition": ("probability of the condition in the target year", "1"),
    "sample_core_share": ("core share on the first sample paths", "percent"),
    "sample_total_share": ("total share on the first sample paths", "percent"),
}

# Coordinate metadata
COORDS: dict[str, tuple[str, str]] = {
    MEMBER: ("NATO member, ISO 3166-1 alpha-3 code", ""),
    YEAR: ("calendar year", "year"),
    TARGET: ("target name (measure_level)", ""),
    QUANTILE: ("quantile of the Monte Carlo distribution", "1"),
    COUNT: ("number of counted members meeting a target", "1"),
    REGIME: ("threat regime (common Markov chain)", ""),
    STANCE: ("US stance toward the alliance", ""),
    REVIEW: ("outcome of the review of the target path", ""),
    TARGET_YEAR: ("target (deadline) year", "year"),
    CONDITION: ("state of a main driver in the target year", ""),
    FORECASTER: ("forecaster: the model or a naive benchmark", ""),
    BIN: ("lower edge of the forecast-probability bin", "1"),
    ORIGIN: ("origin: last year of data used, the base year of the forecasts", "year"),
    THRESHOLD: ("share of GDP the event 'share at or above' refers to", "percent"),
    "plan_date": (
        "announcement date (ISO 8601) of the national plan the member's path follows; "
        "empty where it follows the alliance rule or its own path",
        "",
    ),
    "plan_conditional": ("1 if the national plan followed is conditional", "1"),
    "resilience_prior": (
        "mean of the base-year security/resilience prior: a member's published claim "
        "(sim/data/resilience_priors.csv) or the common prior",
        "percent",
    ),
}

# Fixed-width histograms from which quantiles are read: name -> (lowest edge, bin width,
# number of bins). Values outside land in the end bins (counted in `out_of_range`).
# Share bins of 0.005 pp keep every reported quantile within 0.005 pp of the exact one.
HISTOGRAMS: dict[str, tuple[float, float, int]] = {
    "core": (0.0, 0.005, 4000),  # 0-20 pp
    "total": (0.0, 0.005, 5000),  # 0-25 pp
    "res": (0.0, 0.005, 400),  # 0-2 pp
    "debt": (0.0, 0.1, 5000),  # 0-500 % of GDP
    "alliance_core": (0.0, 0.005, 4000),
    "alliance_total": (0.0, 0.005, 5000),
}
FIXED_SHARE = 1e9
"""Per-path shares are summed as integers in units of 1e-9 pp (exact, order-free)."""
FIXED_MONEY = 1e6
"""Per-path money is summed as integers in units of 1e-6 billion US$ (1,000 US$)."""
