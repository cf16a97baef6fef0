"""Job title -> KldB 2010 occupation, and the German language handling it needs.

``classifier`` ranks occupations for a typed title; ``normalise`` folds gender forms and spelling;
``title_features`` turns a title into the classifier's features; ``extract`` finds titles in
free text. Imports ``data`` and ``records`` only; no other stage depends on its internals.
"""
