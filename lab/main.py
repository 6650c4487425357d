"""Serve the development JupyterLab 4.6 core app built in this folder.

Uses Debian's jupyter-server 1.x and jupyterlab-server 2.x (``LabServerApp``):
JupyterLab itself is not needed on the Python side, only its frontend, which
``webpack.config.js`` builds from the npm packages into ``static/``.

Environment (all optional):
  CHAR_ATTENTION_LAB_STATE          folder for user settings and workspaces
                                    (default: ``build/state/`` next to this file)
  CHAR_ATTENTION_LAB_LABEXTENSIONS  prebuilt extension folders, separated by
                                    os.pathsep, each holding
                                    ``<extension-name>/package.json``
                                    (default: ``labextensions/`` next to this file)
"""

import json
import os

from jupyter_server.base.handlers import APIHandler, JupyterHandler
from jupyterlab_server import LabServerApp
from tornado import web, websocket
from traitlets import Bool

HERE = os.path.abspath(os.path.dirname(__file__))
BUILD = os.path.join(HERE, "build")
STATE = os.environ.get("CHAR_ATTENTION_LAB_STATE") or os.path.join(BUILD, "state")
LABEXTENSIONS = [
    os.path.abspath(p)
    for p in (os.environ.get("CHAR_ATTENTION_LAB_LABEXTENSIONS") or "").split(os.pathsep)
    if p
] or [os.path.join(HERE, "labextensions")]

# Only the configuration given on the command line applies (reproducible runs).
os.environ.setdefault("JUPYTER_NO_CONFIG", "1")

with open(os.path.join(HERE, "package.json"), encoding="utf-8") as fid:
    VERSION = json.load(fid)["version"]


def _jupyter_server_extension_points():
    return [{"module": __name__, "app": CharAttentionLab}]


class IdentityHandler(APIHandler):
    """``GET /api/me`` of jupyter-server 2, polled by JupyterLab 4 (missing in 1.x)."""

    @web.authenticated
    def get(self):
        name = str(self.current_user or "user")
        identity = {
            "username": name,
            "name": name,
            "display_name": name,
            "initials": name[:1].upper(),
            "avatar_url": None,
            "color": None,
        }
        self.finish(json.dumps({"identity": identity, "permissions": {}}))


class EventsHandler(JupyterHandler, websocket.WebSocketHandler):
    """The event-bus websocket of jupyter-server 2 (missing in 1.x): accepts and stays silent."""

    async def get(self, *args, **kwargs):
        if not self.current_user:
            raise web.HTTPError(403)
        return await super().get(*args, **kwargs)

    def on_message(self, message):
        pass


class CharAttentionLab(LabServerApp):
    """JupyterLab served at ``/lab`` (settings, themes and workspaces APIs under ``/lab/api``)."""

    name = "lab"
    extension_url = "/lab"
    default_url = "/lab"
    load_other_extensions = False
    app_name = "JupyterLab (char-attention dev)"
    app_version = VERSION
    app_settings_dir = os.path.join(HERE, "settings")
    schemas_dir = os.path.join(BUILD, "schemas")
    themes_dir = os.path.join(BUILD, "themes")
    static_dir = os.path.join(HERE, "static")
    templates_dir = os.path.join(HERE, "templates")
    user_settings_dir = os.path.join(STATE, "user_settings")
    workspaces_dir = os.path.join(STATE, "workspaces")
    labextensions_path = LABEXTENSIONS

    expose_app_in_browser = Bool(
        False, config=True, help="Expose the application as window.jupyterapp (for browser tests)."
    )

    def initialize_handlers(self):
        super().initialize_handlers()
        self.handlers.extend([(r"/api/me", IdentityHandler), (r"/api/events/subscribe", EventsHandler)])

    def initialize_settings(self):
        super().initialize_settings()
        settings = self.serverapp.web_app.settings
        settings["terminals_available"] = False
        if self.expose_app_in_browser:
            settings.setdefault("page_config_data", {})["exposeAppInBrowser"] = True

    def initialize(self, *args, **kwargs):
        if not os.path.isfile(os.path.join(self.static_dir, "bundle.js")):
            raise SystemExit(
                f"The JupyterLab frontend is not built ({self.static_dir}/bundle.js is missing): "
                "run `npm start` or `cd lab && npm ci && npm run build`."
            )
        super().initialize(*args, **kwargs)


main = launch_new_instance = CharAttentionLab.launch_instance

if __name__ == "__main__":
    main()
