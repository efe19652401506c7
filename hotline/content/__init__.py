"""Content: what the hotline says. The flow model, loading the YAML files with file:line
findings, the catalogs of every language, and the review trail of the sources. `revisions.py`
and `db/`: the staff database (SQLAlchemy, Alembic) holding revisions of the whole content,
drafts, reviews, accounts and the audit log; `editing.py` and `diff.py`: edits to the files
that keep them as staff wrote them, and changes read node by node.

Imports only `hotline.core` (and the root `errors` and `config`).
"""
