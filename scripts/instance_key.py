"""Print the demo's data-encryption key, creating it once in the instance folder.

`make run` gives the demo a Fernet key of its own so that a demo backer can ask for a tax
certificate: generated on the first run into `<instance>/data-encryption.key` (mode 0600,
and instance/ is in .gitignore, so it is never committed), read back on every later run
(the requests encrypted with it stay readable). A real deployment sets
DATA_ENCRYPTION_KEY in its environment instead; `make run` uses that one when it is set.

Usage: python scripts/instance_key.py [INSTANCE_DIR]   (default: ./instance)
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from cryptography.fernet import Fernet

KEY_FILE = "data-encryption.key"


def instance_key(instance: Path) -> str:
    """The key in `instance`, written there first if there is none (never overwritten)."""
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / KEY_FILE
    try:
        # O_EXCL: two runs at once cannot both write a key; the loser reads the winner's.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = path.read_text().strip()
        Fernet(key.encode())  # refuse to hand out a damaged key
        return key
    key = Fernet.generate_key().decode()
    with os.fdopen(fd, "w") as out:
        out.write(key + "\n")
    return key


if __name__ == "__main__":
    print(instance_key(Path(sys.argv[1] if len(sys.argv) > 1 else "instance")))
