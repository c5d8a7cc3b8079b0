"""Back-up and restore: `kennisnet backup` and `kennisnet restore` (see services.py)."""
