"""What every service's HTTP API shares: the one error model (every 4xx and 5xx answer says
why in ``reason``) and the checked query and path values (dates, months, area codes)."""

from shared.api.errors import ApiError, ErrorBody, add_error_handlers
from shared.api.params import DateWindow, IsoDate, IsoMonth

__all__ = ["ApiError", "DateWindow", "ErrorBody", "IsoDate", "IsoMonth", "add_error_handlers"]
