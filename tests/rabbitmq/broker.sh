#!/usr/bin/env bash
# Starts or stops a private RabbitMQ node with the Web-STOMP plugin, for the broker test.
#
# Usage: broker.sh start DIR STOMP_PORT AMQP_PORT DIST_PORT EPMD_PORT
#        broker.sh stop  DIR
#
# Everything the node writes (config, Mnesia data, logs, Erlang cookie, pid file) lives under
# DIR, and it uses its own node name and ports (its own epmd too), so it clashes neither with a
# system RabbitMQ nor with another run. `start` returns once Web-STOMP accepts connections on
# 127.0.0.1:STOMP_PORT, or fails (exit 1) with the tail of the node's log after 120 s
# (WHISP_BROKER_START_SECONDS). `stop`
# stops the node and its epmd and is safe to call when nothing runs.
set -uo pipefail

bin=/usr/lib/rabbitmq/bin
cmd=${1:?start|stop}
dir=${2:?directory}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

node_env() {
  # The node reads only what is set here: no /etc/rabbitmq files.
  export HOME="$dir"
  export RABBITMQ_CONF_ENV_FILE="$dir/rabbitmq-env.conf"
  export RABBITMQ_CONFIG_FILE="$dir/rabbitmq.conf"
  export RABBITMQ_ADVANCED_CONFIG_FILE="$dir/advanced.config"
  export RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins"
  export RABBITMQ_MNESIA_BASE="$dir/mnesia"
  export RABBITMQ_LOG_BASE="$dir/log"
  export RABBITMQ_PID_FILE="$dir/node.pid"
  export RABBITMQ_NODENAME="$(cat "$dir/nodename")"
  export ERL_EPMD_PORT="$(cat "$dir/epmd_port")"
}

stop_node() {
  [ -f "$dir/nodename" ] || return 0
  node_env
  if [ -f "$dir/node.pid" ]; then
    timeout 20 "$bin/rabbitmqctl" -n "$RABBITMQ_NODENAME" stop "$dir/node.pid" >/dev/null 2>&1 || true
  fi
  # Whatever is left of the launcher's process group (the node did not come up far enough for
  # the CLI, or ignored it): TERM, then KILL.
  if [ -f "$dir/launcher.pid" ]; then
    pgid=$(cat "$dir/launcher.pid")
    if kill -0 -- "-$pgid" 2>/dev/null; then
      kill -TERM -- "-$pgid" 2>/dev/null
      end=$((SECONDS + 10))
      while kill -0 -- "-$pgid" 2>/dev/null && [ "$SECONDS" -lt "$end" ]; do sleep 0.2; done
      kill -KILL -- "-$pgid" 2>/dev/null || true
    fi
  fi
  rm -f "$dir/node.pid" "$dir/launcher.pid"
  epmd -port "$ERL_EPMD_PORT" -kill >/dev/null 2>&1 || true
}

case "$cmd" in
  stop)
    stop_node
    ;;
  start)
    stomp_port=${3:?stomp port}; amqp_port=${4:?amqp port}
    dist_port=${5:?dist port}; epmd_port=${6:?epmd port}
    [ -x "$bin/rabbitmq-server" ] || {
      echo "broker.sh: $bin/rabbitmq-server not found; install Debian's rabbitmq-server" \
           "(scripts/setup.sh --test)" >&2
      exit 1
    }
    stop_node   # a node left over by a crashed run in the same directory
    rm -rf "$dir/mnesia" "$dir/log"
    mkdir -p "$dir/mnesia" "$dir/log"
    echo "whisp_test_$stomp_port@localhost" > "$dir/nodename"
    echo "$epmd_port" > "$dir/epmd_port"
    : > "$dir/rabbitmq-env.conf"
    echo "[]." > "$dir/advanced.config"
    echo "[rabbitmq_web_stomp]." > "$dir/enabled_plugins"
    cat > "$dir/rabbitmq.conf" <<CONF
listeners.tcp.1 = 127.0.0.1:$amqp_port
web_stomp.tcp.ip = 127.0.0.1
web_stomp.tcp.port = $stomp_port
stomp.listeners.tcp = none
loopback_users = none
log.console = false
log.file.level = info
CONF
    node_env
    export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
    export RABBITMQ_NODE_PORT="$amqp_port"
    export RABBITMQ_DIST_PORT="$dist_port"
    export RABBITMQ_USE_LONGNAME=false
    export ERL_EPMD_ADDRESS=127.0.0.1
    export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
    # setsid: the launcher leads its own process group, so `stop` can end all of it.
    cd "$dir"
    setsid "$bin/rabbitmq-server" >"$dir/log/stdout.log" 2>&1 </dev/null &
    echo $! > "$dir/launcher.pid"
    # Ready when Web-STOMP accepts a TCP connection. A loaded machine (parallel builds) can take
    # a minute to boot Erlang and the plugins; WHISP_BROKER_START_SECONDS overrides the limit.
    limit=${WHISP_BROKER_START_SECONDS:-120}
    end=$((SECONDS + limit))
    while [ "$SECONDS" -lt "$end" ]; do
      if (exec 3<>"/dev/tcp/127.0.0.1/$stomp_port") 2>/dev/null; then
        echo "broker.sh: node $RABBITMQ_NODENAME ready after ${SECONDS}s," \
             "Web-STOMP on 127.0.0.1:$stomp_port" >&2
        exit 0
      fi
      if ! kill -0 "$(cat "$dir/launcher.pid")" 2>/dev/null; then
        echo "broker.sh: rabbitmq-server exited during start-up" >&2
        break
      fi
      sleep 0.2
    done
    echo "broker.sh: RabbitMQ did not open Web-STOMP on 127.0.0.1:$stomp_port within ${limit}s" >&2
    tail -n 30 "$dir/log/stdout.log" >&2 2>/dev/null
    stop_node
    exit 1
    ;;
  *)
    echo "usage: broker.sh start DIR STOMP_PORT AMQP_PORT DIST_PORT EPMD_PORT | stop DIR" >&2
    exit 2
    ;;
esac
