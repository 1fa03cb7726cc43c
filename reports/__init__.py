"""Dashboard, trends and alerts, exports (issue 4). Reads every domain; nobody imports reports."""
