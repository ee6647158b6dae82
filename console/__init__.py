"""OrderBridge console: a small offline web application over a workspace's state store for ops and
sales (orders, approvals, runs). At the flows level of the layering: it reads through connectors and
flows.status, decides through engine.lifecycle, and never imports prefect (`orderbridge console`).
"""
