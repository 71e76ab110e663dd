-- wrk script: JSON-RPC getAccountInfo (base64) over keep-alive connections.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"jsonrpc":"2.0","id":1,"method":"getAccountInfo","params":["' .. (os.getenv("ADDR") or "11111111111111111111111111111111") .. '",{"encoding":"base64"}]}'
