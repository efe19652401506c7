"""The catalogs: every string a caller can receive, its gettext context, and the languages
served from the PO files (reading, extracting, updating)."""
