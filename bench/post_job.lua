-- POST /api/v1/jobs with the body in the BODY environment variable (see bench/http_bench.sh).
wrk.method = "POST"
wrk.body = os.getenv("BODY")
wrk.headers["Content-Type"] = "application/json"
