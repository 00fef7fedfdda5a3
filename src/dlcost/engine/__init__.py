"""The engine: Scenario in, results out. Pure of I/O: everything it needs comes as arguments.

- :mod:`~dlcost.engine.estimate`: ``estimate`` (Figure 2 of seed 000) and ``predict_error`` (eq. (1))
- :mod:`~dlcost.engine.data_need`: the images a target needs, from eq. (1) or a pilot
- :mod:`~dlcost.engine.training_compute`: GPU-hours, dollars, energy and CO2 of training
- :mod:`~dlcost.engine.uncertainty`: calibrated intervals
- :mod:`~dlcost.engine.pilot`: a pilot's learning curve
- :mod:`~dlcost.engine.refit`: refitting and validating eq. (1) on observations
- :mod:`~dlcost.engine.complexity`: relative complexity of any input
"""
