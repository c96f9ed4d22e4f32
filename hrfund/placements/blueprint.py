"""The placements module's page blueprint; its routes live in views/."""

from flask import Blueprint

bp = Blueprint("placements", __name__)
