"""The GitHub App: webhook intake, routing, GitHub client, persistence (`app.store`).

May import `resolver`; never `deploy` (reconcile work is handed over through the queue).
"""
