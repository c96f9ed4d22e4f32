"""The unbound extension objects, initialised by create_app()."""

from typing import TYPE_CHECKING

from flask_babel import Babel
from flask_bootstrap import Bootstrap5
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from hrfund.core.db import Base

db = SQLAlchemy(model_class=Base)

# The base every model subclasses. Flask-SQLAlchemy builds ``db.Model`` at run time from
# ``Base`` (same registry and metadata, plus its bind and query helpers); a type checker cannot
# follow that, so it is told the class is ``Base``, whose ``Mapped[...]`` columns it does read.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model

migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
bootstrap = Bootstrap5()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
