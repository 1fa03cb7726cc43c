"""What an operator needs: health and readiness checks, Prometheus metrics, structured logs with
request ids, the worker's heartbeat and job-run records, the proxy setting."""
