"""Reference data shipped with Lotse and the loaders/importers that read official formats."""
