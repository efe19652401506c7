"""Content: what the hotline says. The flow model, loading the YAML files with file:line
findings, the catalogs of every language, and the review trail of the sources.

Imports only `hotline.core` (and the root `errors` and `config`).
"""
