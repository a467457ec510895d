#!/usr/bin/env bash
# A two-shard ClickHouse cluster on loopback, for the scale-out tests and benchmarks (docs/scale-out.md).
#
#   scripts/clickhouse-cluster.sh start DIR [PORT_BASE]   two servers, each with its own config, ports and data under DIR
#   scripts/clickhouse-cluster.sh stop DIR                stops them by the PIDs start recorded, waits until they are gone
#   scripts/clickhouse-cluster.sh table DIR NAME COLUMNS ORDER_BY SHARDING_KEY
#                                                         a MergeTree table NAME_shard on each shard and a Distributed
#                                                         table NAME over both, on each server
#
# Shard N listens on 127.0.0.1 only: HTTP on PORT_BASE+10(N-1), native TCP on +1, interserver on +2
# (PORT_BASE defaults to 19100). start writes DIR/cluster.env (HTTP1, HTTP2, TCP1, TCP2, CLUSTER) for
# callers. The cluster is named `lathe`; the user `default` has no password and only loopback access (the
# shards query each other as it); the user `lathe` has the password in $LATHE_CLICKHOUSE_PASSWORD (default
# `lathe`), for the tests of credentials. Needs clickhouse-server (scripts/setup-clickhouse.sh).
set -euo pipefail
cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop|table DIR ..." >&2; exit 2; }

server_bin() {
  # Debian ships /usr/bin/clickhouse-server as a link to the multi-call /usr/bin/clickhouse.
  command -v clickhouse-server >/dev/null 2>&1 || { echo "clickhouse-cluster: clickhouse-server is not installed (run: sudo bash scripts/setup-clickhouse.sh)" >&2; exit 3; }
  command -v clickhouse-server
}

http_of() { echo $(( base + 10 * ($1 - 1) )); }
tcp_of() { echo $(( base + 10 * ($1 - 1) + 1 )); }

write_config() {
  local n=$1 d=$2
  mkdir -p "$d/data" "$d/tmp" "$d/user_files" "$d/format_schemas" "$d/log"
  cat > "$d/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>$d/log/server.log</log><errorlog>$d/log/error.log</errorlog><size>10M</size><count>1</count></logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>$(http_of "$n")</http_port>
  <tcp_port>$(tcp_of "$n")</tcp_port>
  <interserver_http_port>$(( base + 10 * (n - 1) + 2 ))</interserver_http_port>
  <interserver_http_host>127.0.0.1</interserver_http_host>
  <max_connections>256</max_connections>
  <keep_alive_timeout>3</keep_alive_timeout>
  <!-- Stop at once: the servers hold nothing a test would lose (the default waits 5 s for open connections). -->
  <shutdown_wait_unfinished>0</shutdown_wait_unfinished>
  <max_concurrent_queries>32</max_concurrent_queries>
  <uncompressed_cache_size>67108864</uncompressed_cache_size>
  <mark_cache_size>67108864</mark_cache_size>
  <path>$d/data/</path>
  <tmp_path>$d/tmp/</tmp_path>
  <user_files_path>$d/user_files/</user_files_path>
  <format_schema_path>$d/format_schemas/</format_schema_path>
  <users_config>$d/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mlock_executable>false</mlock_executable>
  <builtin_dictionaries_reload_interval>3600</builtin_dictionaries_reload_interval>
  <max_session_timeout>3600</max_session_timeout>
  <default_session_timeout>60</default_session_timeout>
  <remote_servers>
    <lathe>
      <shard><replica><host>127.0.0.1</host><port>$(tcp_of 1)</port></replica></shard>
      <shard><replica><host>127.0.0.1</host><port>$(tcp_of 2)</port></replica></shard>
    </lathe>
  </remote_servers>
  <macros><shard>$n</shard></macros>
</yandex>
XML
  local password=${LATHE_CLICKHOUSE_PASSWORD:-lathe}
  password=${password//&/&amp;}; password=${password//</&lt;}; password=${password//>/&gt;}
  cat > "$d/users.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <profiles>
    <default><max_memory_usage>2000000000</max_memory_usage><load_balancing>in_order</load_balancing></default>
  </profiles>
  <users>
    <default><password></password><networks><ip>127.0.0.1</ip><ip>::1</ip></networks><profile>default</profile><quota>default</quota></default>
    <lathe><password>$password</password><networks><ip>127.0.0.1</ip><ip>::1</ip></networks><profile>default</profile><quota>default</quota></lathe>
  </users>
  <quotas>
    <default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default>
  </quotas>
</yandex>
XML
}

# Runs one query on shard N over HTTP; the response body goes to stdout, a server error fails.
query() {
  local n=$1 sql=$2
  curl -sS --fail-with-body --data-binary "$sql" "http://127.0.0.1:$(http_of "$n")/" || { echo "clickhouse-cluster: shard $n rejected: $sql" >&2; return 1; }
}

load_env() {
  [ -f "$dir/cluster.env" ] || { echo "clickhouse-cluster: no cluster in $dir (cluster.env missing)" >&2; exit 2; }
  # shellcheck disable=SC1091
  . "$dir/cluster.env"
  base=$PORT_BASE
}

case "$cmd" in
  start)
    base=${3:-19100}
    bin=$(server_bin)
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    for n in 1 2; do
      d="$dir/shard$n"
      [ -f "$d/pid" ] && kill -0 "$(cat "$d/pid")" 2>/dev/null && { echo "clickhouse-cluster: shard $n already runs (pid $(cat "$d/pid"))" >&2; exit 1; }
      write_config "$n" "$d"
      # In the background, not --daemon: the PID is the server's own, and its output goes to a file.
      (cd "$d" && exec "$bin" --config-file="$d/config.xml" >"$d/log/stdout.log" 2>&1) &
      echo $! > "$d/pid"
    done
    printf 'PORT_BASE=%s\nHTTP1=%s\nHTTP2=%s\nTCP1=%s\nTCP2=%s\nCLUSTER=lathe\n' "$base" "$(http_of 1)" "$(http_of 2)" "$(tcp_of 1)" "$(tcp_of 2)" > "$dir/cluster.env"
    # Ready when both answer /ping; a server that exits (a port taken, a bad config) fails at once.
    for n in 1 2; do
      d="$dir/shard$n"
      for _ in $(seq 1 300); do
        [ "$(curl -s "http://127.0.0.1:$(http_of "$n")/ping" 2>/dev/null)" = "Ok." ] && break
        if ! kill -0 "$(cat "$d/pid")" 2>/dev/null; then
          echo "clickhouse-cluster: shard $n exited while starting:" >&2
          tail -n 5 "$d/log/error.log" "$d/log/stdout.log" >&2 2>/dev/null || true
          "$0" stop "$dir" >/dev/null 2>&1 || true
          exit 1
        fi
        sleep 0.1
      done
      [ "$(curl -s "http://127.0.0.1:$(http_of "$n")/ping" 2>/dev/null)" = "Ok." ] || { echo "clickhouse-cluster: shard $n did not answer in 30 s" >&2; "$0" stop "$dir" >/dev/null 2>&1 || true; exit 1; }
    done
    echo "clickhouse-cluster: started, http $(http_of 1) and $(http_of 2)"
    ;;
  stop)
    [ -d "$dir" ] || exit 0
    dir=$(cd "$dir" && pwd)
    # Both are asked at once (each takes a few seconds to shut down), then waited for; KILL after 10 s.
    pids=()
    for n in 1 2; do
      pidfile="$dir/shard$n/pid"
      [ -f "$pidfile" ] || continue
      pid=$(cat "$pidfile")
      # Only the server started with this folder's config: a PID reused since is someone else's.
      tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -qF "$dir/shard$n/config.xml" && kill -TERM "$pid" && pids+=("$pid")
    done
    for pid in "${pids[@]}"; do
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
    done
    rm -f "$dir/shard1/pid" "$dir/shard2/pid"
    echo "clickhouse-cluster: stopped"
    ;;
  table)
    [ $# -eq 6 ] || { echo "usage: $0 table DIR NAME COLUMNS ORDER_BY SHARDING_KEY" >&2; exit 2; }
    load_env
    name=$3 columns=$4 order=$5 key=$6
    for n in 1 2; do
      query "$n" "CREATE TABLE IF NOT EXISTS \`${name}_shard\` ($columns) ENGINE = MergeTree() ORDER BY $order"
      query "$n" "CREATE TABLE IF NOT EXISTS \`$name\` AS \`${name}_shard\` ENGINE = Distributed(lathe, default, \`${name}_shard\`, $key)"
    done
    ;;
  *)
    echo "usage: $0 start|stop|table DIR ..." >&2; exit 2 ;;
esac
