"""The core module's page blueprint; its routes live in views/."""

from flask import Blueprint

bp = Blueprint("core", __name__)
