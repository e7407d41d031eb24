"""``python -m apigwc``."""

from .cli import main

main()
