"""Entry point of the `snt` command."""

from snt.cli import app
from snt.commands import register


def main() -> None:
    register(app)
    app()


if __name__ == "__main__":
    main()
