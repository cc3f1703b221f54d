"""Thin entry point: settings -> create_app(settings) -> serve."""

from services.dashboard.app import create_app
from services.dashboard.config import DashboardSettings
from shared.observability import configure_logging
from shared.service import serve
from shared.settings import load_settings


def main() -> None:
    settings = load_settings(DashboardSettings)
    configure_logging(settings.service_name, settings.log_level, settings.log_json)
    serve(create_app(settings), settings)


if __name__ == "__main__":
    main()
