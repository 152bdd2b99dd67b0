"""Commands: accounts (see DESIGN §9)."""

COMMANDS: list = []
