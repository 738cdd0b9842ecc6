"""``python -m hostprov_tui`` behaves like the ``hostprov`` command."""

from hostprov_tui.cli.main import main

if __name__ == "__main__":
    main()
