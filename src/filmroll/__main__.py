"""`python -m filmroll` is the `filmroll` command."""

from filmroll.cli import main

main()
