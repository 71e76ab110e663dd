-- wrk script: JSON-RPC getBalance over keep-alive connections.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"jsonrpc":"2.0","id":1,"method":"getBalance","params":["' .. (os.getenv("ADDR") or "11111111111111111111111111111111") .. '"]}'
