"""`python -m sim` runs the command-line interface."""

from .cli import main

main()
