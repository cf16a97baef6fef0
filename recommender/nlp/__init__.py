"""German language handling for occupations: gender forms, lemmas, head nouns, gazetteer."""
