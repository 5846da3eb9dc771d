"""Run the command-line interface with ``python -m warmline``."""

from warmline.cli import main

main(prog_name="warmline")
