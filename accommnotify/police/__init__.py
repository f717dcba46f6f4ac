"""The police side: the receiving endpoint (dispatch issue) and the inbox pages and API (inbox issue)."""
from . import receiving, web


def init_app(app):
    receiving.init_app(app)
    web.init_app(app)
