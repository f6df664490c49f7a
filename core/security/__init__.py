"""Login and sessions (issue 12): lockout by username (django-axes), password rules, Argon2, idle and absolute
session limits, and the second factor (TOTP with django-otp, recovery codes) for provincial admins and the admin
site. Every login, failure, lockout, unlock, logout, expiry and second-factor event goes to the audit log."""
