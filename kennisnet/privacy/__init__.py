"""Privacy self-service: download everything about your account, or erase it (AVG)."""
