"""The document base every DocType shares: naming, standard fields, history, errors, roles."""
