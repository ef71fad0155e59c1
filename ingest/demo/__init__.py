"""The bundled synthetic demo catalog (see README.md in this folder)."""

from pathlib import Path

DEMO_DATA = Path(__file__).parent / "data"
