"""The service layer: the user's context (hardware, store, active model) joined to the engine.

The library, the CLI and the web all answer through here, so that one resolver
decides which error model, which interval calibration and which hardware catalog
an answer uses:

- :mod:`~dlcost.service.workspace`: ``Workspace``: estimate, predict-error, pilot fit and save, resolved once
- :mod:`~dlcost.service.models`: fit, validate and plot error models on the store's observations
- :mod:`~dlcost.service.observations`: import observations (duplicates skipped), the shipped examples
- :mod:`~dlcost.service.documents`: the JSON documents the CLI (--json) and the web API share
"""
