# A stdio MCP server in POSIX sh, for a container image with nothing but busybox in it.
# It answers initialize and tools/list (one tool, `forecast`), and declines everything else.
sed() { /bin/busybox sed "$@"; }
while IFS= read -r line; do
  id=$(printf '%s' "$line" | sed -n 's/^.*"id":\([0-9][0-9]*\).*$/\1/p')
  method=$(printf '%s' "$line" | sed -n 's/^.*"method":"\([^"]*\)".*$/\1/p')
  [ -z "$id" ] && continue
  case "$method" in
    initialize)
      # HOLD set: answer only once /tmp/go exists, so that a test can inspect the running
      # sandbox from outside first (and then `docker exec` the go-ahead).
      if [ -n "$HOLD" ]; then while [ ! -e /tmp/go ]; do /bin/busybox sleep 0.05; done; fi
      printf '{"jsonrpc":"2.0","id":%s,"result":{"protocolVersion":"2025-06-18","capabilities":{"tools":{}},"serverInfo":{"name":"sh-server","version":"1.0.0"}}}\n' "$id" ;;
    tools/list)
      printf '{"jsonrpc":"2.0","id":%s,"result":{"tools":[{"name":"forecast","description":"Weather forecast","inputSchema":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}]}}\n' "$id" ;;
    *)
      printf '{"jsonrpc":"2.0","id":%s,"error":{"code":-32601,"message":"method not found"}}\n' "$id" ;;
  esac
done
