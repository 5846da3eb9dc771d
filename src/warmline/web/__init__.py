"""The Warmline web app: server-rendered pages and the REST API, thin layers over the store."""

from warmline.web.app import create_app

__all__ = ["create_app"]
