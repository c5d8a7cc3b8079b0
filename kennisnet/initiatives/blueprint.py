"""The one blueprint of this domain; Leaflet's files are served by two nested static blueprints.

The views live in views.py, manage_views.py and api_views.py, which add their routes to `bp`.
"""

import xstatic.pkg.leaflet as xs_leaflet
import xstatic.pkg.leaflet_markercluster as xs_markercluster
from flask import Blueprint

bp = Blueprint("initiatives", __name__)

# Leaflet comes from the installed xstatic packages, never from a CDN, so the map works offline
# and no visitor's address goes to a third party.
bp.register_blueprint(Blueprint("leaflet", __name__, static_folder=xs_leaflet.BASE_DIR,
                                static_url_path="/static/vendor/leaflet"))
bp.register_blueprint(Blueprint("markercluster", __name__, static_folder=xs_markercluster.BASE_DIR,
                                static_url_path="/static/vendor/leaflet.markercluster"))
