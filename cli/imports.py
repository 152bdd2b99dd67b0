"""Commands: imports (see DESIGN §9)."""

COMMANDS: list = []
