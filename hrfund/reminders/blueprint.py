"""The reminders module's page blueprint; its routes live in views/."""

from flask import Blueprint

bp = Blueprint("reminders", __name__)
