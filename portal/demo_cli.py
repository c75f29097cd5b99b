"""`make run`'s demo step: seed the demo when the database has no accounts, print the logins."""

from __future__ import annotations

from . import create_app
from .accounts.service import count_users
from .demo import logins_path, seed_demo


def main() -> None:
    app = create_app()
    with app.app_context():
        if count_users() == 0:
            print(seed_demo().summary())
        path = logins_path()
        if path.exists():
            print(f"\nDemo logins (from {path}):")
            print(path.read_text().rstrip())
        else:
            print("\nThis database was not seeded by the demo; use your own accounts.")


if __name__ == "__main__":
    main()
