"""Prints how many rows a part of the store holds, for the setup script's skip checks."""

import sys

from queries.status import row_count

print(row_count(sys.argv[1]))
