"""hotline: a know-your-rights SMS and voice hotline driven by YAML flow scripts.

`create_app()` is the application factory gunicorn runs (see the Procfile). Everything a
request needs (settings, flows, catalogs, store) is loaded and checked here, once: a broken
script or a missing secret stops the start, never a conversation.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from flask import Flask

__all__ = ["create_app"]


def create_app(config: Any = None) -> "Flask":
    """Build the Flask app (see hotline.web.app.create_app).

    Imported lazily so that `import hotline.core.engine` pulls in no web framework: the engine's
    purity test checks exactly that.
    """
    from hotline.web.app import create_app as factory

    app = factory(config)
    # The staff console sits above the web layer (hotline/staff/console): added here, where
    # the whole app is put together, when there is a staff database and it is not turned off.
    if app.config["HOTLINE_SETTINGS"].console and "hotline_revisions" in app.extensions:
        from hotline.staff.console import init_app

        init_app(app)
    return app
