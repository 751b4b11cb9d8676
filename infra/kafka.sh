# shellcheck shell=bash
# Apache Kafka, KRaft mode: one JVM that is both broker and controller, on 127.0.0.1:9092
# (CONTROLLER listener on 9093). No Debian or npm package runs a broker, so the jars come from
# Maven Central through infra/kafka/pom.xml into infra/kafka/libs/ (gitignored, cached in ~/.m2).

KAFKA_PORT=9092
KAFKA_CONTROLLER_PORT=9093
KAFKA_HOME="$INFRA_DIR/kafka"
KAFKA_LIBS="$KAFKA_HOME/libs"
KAFKA_DATA="$DATA_DIR/kafka"
KAFKA_LOG="$LOG_DIR/kafka.log"
KAFKA_HEAP="${SWITCHBOARD_KAFKA_HEAP:--Xms256m -Xmx512m}"

kafka_version() {
  sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$KAFKA_HOME/pom.xml"
}

kafka_packages() {
  echo kcat
  command -v java >/dev/null || echo openjdk-17-jre-headless
  command -v mvn >/dev/null || echo maven
}

# libs/.version records which Kafka version libs/ holds; a pom bump re-fetches.
kafka_jars_current() {
  [[ -f "$KAFKA_LIBS/.version" && "$(cat "$KAFKA_LIBS/.version")" == "$(kafka_version)" ]]
}

kafka_install() {
  kafka_jars_current || with_lock kafka-jars _kafka_fetch_jars
}

_kafka_fetch_jars() {
  kafka_jars_current && return 0
  local version tmp
  version="$(kafka_version)"
  tmp="$KAFKA_HOME/libs.tmp.$$"
  rm -rf "$tmp"
  log "kafka: fetching Apache Kafka $version jars (Maven Central, cached in ~/.m2)"
  # Copy into a scratch folder, then rename: an interrupted fetch never leaves a half libs/.
  # (sed: Maven 3.8 prints stray ANSI resets even in batch mode.)
  mvn -q -B -Dstyle.color=never -f "$KAFKA_HOME/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$tmp" 2>&1 | sed 's/\x1b\[[0-9;]*m//g' >&2
  echo "$version" >"$tmp/.version"
  rm -rf "$KAFKA_LIBS"
  mv "$tmp" "$KAFKA_LIBS"
}

kafka_pid() { live_pid_from "$(pid_file kafka)" kafka.Kafka; }
kafka_port() { echo "$KAFKA_PORT"; }
kafka_log() { echo "$KAFKA_LOG"; }
kafka_data_dirs() { echo "$KAFKA_DATA"; }

kafka_java() {
  java -Djava.awt.headless=true -Dlog4j.configuration="file:$KAFKA_HOME/log4j.properties" \
    -cp "$KAFKA_LIBS/*" "$@"
}

kafka_write_config() {
  cat >"$KAFKA_DATA/server.properties" <<CONF
# Written by infra/kafka.sh at every start: edit that file, not this one.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$KAFKA_DATA/data
auto.create.topics.enable=true
num.partitions=3
default.replication.factor=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
# One broker, two cores: fewer internal partitions make the first consumer group and the first
# transaction come up faster than the default 50.
offsets.topic.num.partitions=10
transaction.state.log.num.partitions=10
group.initial.rebalance.delay.ms=0
# After a kill -9 the restarted broker cannot register until the controller has expired its
# previous incarnation's session (default 9 s): a shorter session brings it back sooner.
broker.heartbeat.interval.ms=1000
broker.session.timeout.ms=5000
CONF
}

kafka_start() {
  mkdir -p "$KAFKA_DATA/data"
  kafka_write_config
  if [[ ! -f "$KAFKA_DATA/data/meta.properties" ]]; then
    # A fresh data dir gets a fresh random cluster id, once (it is kept in meta.properties).
    local cluster_id
    cluster_id="$(kafka_random_uuid)"
    log "kafka: formatting $KAFKA_DATA/data (cluster id $cluster_id)"
    kafka_java kafka.tools.StorageTool format --ignore-formatted \
      -t "$cluster_id" -c "$KAFKA_DATA/server.properties" >>"$KAFKA_LOG" 2>&1 ||
      { log_tail "$KAFKA_LOG" 20; die "kafka: formatting the storage failed"; }
  fi
  # shellcheck disable=SC2086 # KAFKA_HEAP holds several JVM flags on purpose
  launch_detached "$(pid_file kafka)" "$KAFKA_LOG" \
    java $KAFKA_HEAP -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
    -Dlog4j.configuration="file:$KAFKA_HOME/log4j.properties" \
    -cp "$KAFKA_LIBS/*" kafka.Kafka "$KAFKA_DATA/server.properties"
}

# Same shape as Kafka's Uuid.randomUuid(): 16 random bytes, URL-safe base64 without padding,
# never starting with '-' (which a command line would take for an option).
kafka_random_uuid() {
  local id
  while :; do
    id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
    [[ "$id" != -* ]] && break
  done
  echo "$id"
}

# Ready = answers a real metadata request and lists itself as a broker.
kafka_ready() {
  port_open "$KAFKA_PORT" || return 1
  timeout 10 kcat -L -b "127.0.0.1:$KAFKA_PORT" -m 5 2>/dev/null | grep -q '1 brokers:'
}

kafka_stop() {
  local pid
  pid="$(kafka_pid)" || return 0
  # SIGTERM = controlled shutdown (flushes logs, no recovery on the next start).
  stop_pid kafka "$pid" TERM
}
