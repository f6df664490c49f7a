"""Admin of the reporting app: each part registers its models in its own admin module, imported here."""

from reporting.mail import admin as mail_admin  # noqa: F401
from reporting.progress import admin as progress_admin  # noqa: F401
