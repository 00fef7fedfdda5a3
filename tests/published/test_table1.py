"""Table 1 of seed 000: the published coefficients are shipped as data, with their
standard errors and 95% intervals, exactly as printed."""

from dlcost import catalog

TABLE_1 = {
    # name: (coef, std_err, t, p, ci_low, ci_high) as printed in Table 1
    "intercept": (-0.813, 0.151, -5.378, 0.000, -1.117, -0.510),
    "log_data": (-0.070, 0.029, -2.456, 0.018, -0.127, -0.013),
    "pretrain_log_data": (-0.053, 0.016, -3.367, 0.001, -0.084, -0.021),
    "complexity": (0.609, 0.136, 4.464, 0.000, 0.335, 0.883),
    "segmentation": (0.622, 0.093, 6.719, 0.000, 0.436, 0.808),
}


def test_table1_is_shipped_as_printed():
    rows = {row.name: (row.coef, row.std_err, row.t, row.p, row.ci_low, row.ci_high) for row in catalog.coefficient_table()}
    assert rows == TABLE_1


def test_table1_intervals_are_coef_plus_minus_two_std_err():
    # Consistency of the printed table: 95% interval ~ coef +- t(51) x std. err., to print precision.
    for row in catalog.coefficient_table():
        assert abs((row.ci_high - row.ci_low) / 2 - 2.008 * row.std_err) < 0.004


def test_model_summary():
    assert catalog.model_summary()["r2"] == 0.840
