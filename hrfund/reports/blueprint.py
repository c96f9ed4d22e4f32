"""The reports module's page blueprint; its routes live in views/."""

from flask import Blueprint

bp = Blueprint("reports", __name__)
