"""Security tests: the URL walk, headers, lockout, production settings and passwords."""
