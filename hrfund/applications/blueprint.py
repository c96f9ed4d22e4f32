"""The applications module's page blueprint; its routes live in views/."""

from flask import Blueprint

bp = Blueprint("applications", __name__)
