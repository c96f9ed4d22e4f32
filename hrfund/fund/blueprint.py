"""The fund module's page blueprint; its routes live in views/."""

from flask import Blueprint

bp = Blueprint("fund", __name__, url_prefix="/fund")
