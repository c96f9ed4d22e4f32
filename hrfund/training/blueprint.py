"""The training module's page blueprint; its routes live in views/."""

from flask import Blueprint

bp = Blueprint("training", __name__)
