"""Learning from logged decisions and outcomes.

``training_data`` reads the log into arrays; ``train_config`` holds the checked settings;
``effects`` is the one training core (no-advice and per-module boosters, calibration);
``train`` feeds it from memory and assembles the model and its metadata, ``dask_train`` feeds
it from a Dask cluster; ``code_version`` names the code version. May import ``records``,
``decide`` and ``simulate``.
"""
