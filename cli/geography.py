"""Commands: geography (see DESIGN §9)."""

COMMANDS: list = []
