"""Scheduled mail of the reporting app: the monthly 汇总表 to each office's report recipients and the deadline
reminders (each also an in-app notification), idempotent by one Delivery row per (kind, period, recipient)."""
