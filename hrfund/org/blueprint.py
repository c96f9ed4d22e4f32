"""The org module's page blueprint; its routes live in views/."""

from flask import Blueprint

bp = Blueprint("org", __name__)
