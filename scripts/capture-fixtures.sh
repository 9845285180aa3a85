#!/usr/bin/env bash
# Capture real DHCPv4 packets from real clients (ISC dhclient, busybox udhcpc,
# dhcpcd), ISC dhcrelay and ISC dhcpd 4.4.3 in a throw-away network-namespace lab
# and store each DHCP message (UDP payload only) as test/fixtures/packets/*.hex.
#
# Usage: sudo bash scripts/capture-fixtures.sh
#   OUT=dir        write fixtures somewhere else (default: test/fixtures/packets)
#   KEEP_WORK=1    keep the temp dir (pcaps, configs, daemon logs) after the run
#
# Network rules: everything happens inside namespaces named hfx-* that this script
# creates and deletes; only 198.18.10.0/24 and 198.18.11.0/24 (RFC 2544 benchmark
# space) are used. Client hook scripts are a no-op logger (the default hooks would
# rewrite the host's /etc/resolv.conf). Only processes started here are killed, by PID.
set -euo pipefail

if [[ ${EUID} -ne 0 ]]; then
  echo "capture-fixtures.sh: must be run as root (network namespaces)" >&2
  exit 1
fi
for bin in ip dhcpd dhclient udhcpc busybox dhcpcd dhcrelay tcpdump tshark python3 timeout; do
  command -v "$bin" >/dev/null || { echo "missing: $bin (apt-get install isc-dhcp-server isc-dhcp-client isc-dhcp-relay udhcpc dhcpcd-base tshark tcpdump)" >&2; exit 1; }
done

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=${OUT:-$REPO/test/fixtures/packets}
WORK=$(mktemp -d /tmp/hfx-capture.XXXXXX)
chmod 755 "$WORK"

# ---------------------------------------------------------------- lab layout
NS_BR=hfx-br     # bridge br0 (L2 segment 198.18.10.0/24)
NS_SRV=hfx-srv   # ISC dhcpd, eth0 = 198.18.10.1/24 (capture point)
NS_CLI=hfx-cli   # direct clients, interface hfxc0 (MAC changed per client)
NS_RLY=hfx-rly   # dhcrelay: hfxr-up 198.18.10.254/24, hfxr-down 198.18.11.1/24
NS_RCL=hfx-rcl   # relayed client, interface hfxrc0 (behind the relay)
ALL_NS=("$NS_CLI" "$NS_RCL" "$NS_RLY" "$NS_SRV" "$NS_BR")

SRV_IF=eth0
SRV_IP=198.18.10.1
CLI_IF=hfxc0
RCL_IF=hfxrc0
RLY_UP=hfxr-up
RLY_DOWN=hfxr-down
RLY_UP_IP=198.18.10.254
RLY_DOWN_IP=198.18.11.1

MAC_DHCLIENT=02:48:46:58:00:01   # has a host reservation -> 198.18.10.10
MAC_UDHCPC=02:48:46:58:00:02
MAC_DHCPCD=02:48:46:58:00:03
MAC_RELAYED=02:48:46:58:00:04
MAC_NAK=02:48:46:58:00:05
MAC_NAK2=02:48:46:58:00:06
MAC_NAK3=02:48:46:58:00:08
MAC_INFORM=02:48:46:58:00:07
MAC_SRV=02:48:46:58:00:fe
MAC_RLY_UP=02:48:46:58:00:fd
MAC_RLY_DOWN=02:48:46:58:01:fd
RESERVED_IP=198.18.10.10
FOREIGN_IP=198.18.99.5
INFORM_IP=198.18.10.77

DHCPCD_LEASE=/var/lib/dhcpcd/$CLI_IF.lease
PIDS=()

# ---------------------------------------------------------------- helpers
log() { printf '[capture] %s\n' "$*" >&2; }

# stop_pid PID [SIGNAL]: signal, wait up to 5 s, then SIGKILL; reap.
stop_pid() {
  local pid=$1 sig=${2:-TERM} i
  kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
  kill -"$sig" "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# wait_for FILE REGEX SECONDS: bounded poll of a log file.
wait_for() {
  local file=$1 re=$2 secs=$3 i
  for ((i = 0; i < secs * 10; i++)); do
    grep -Eq -- "$re" "$file" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

# wait_exit PID SECONDS: bounded wait for a background process to exit.
wait_exit() {
  local pid=$1 secs=$2 i
  for ((i = 0; i < secs * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    sleep 0.1
  done
  return 1
}

# kill_ns_leftovers NS: processes still inside one of OUR namespaces were started
# by this script (e.g. dhcpcd privsep helpers); kill them by PID.
kill_ns_leftovers() {
  local ns=$1 pid
  ip netns list 2>/dev/null | grep -qw "^$ns" || return 0
  for pid in $(ip netns pids "$ns" 2>/dev/null); do
    kill -KILL "$pid" 2>/dev/null || true
  done
}

cleanup() {
  local rc=$? pid ns
  set +e
  for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
  for ns in "${ALL_NS[@]}"; do kill_ns_leftovers "$ns"; done
  sleep 0.2
  for ns in "${ALL_NS[@]}"; do ip netns del "$ns" 2>/dev/null; done
  rm -f "$DHCPCD_LEASE" "/run/dhcpcd/$CLI_IF.pid" "/run/dhcpcd/$CLI_IF-4.pid"
  if [[ ${KEEP_WORK:-0} == 1 ]]; then log "work dir kept: $WORK"; else rm -rf "$WORK"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# idempotence: remove our namespaces left over from an interrupted run
for ns in "${ALL_NS[@]}"; do kill_ns_leftovers "$ns"; ip netns del "$ns" 2>/dev/null || true; done
rm -f "$DHCPCD_LEASE"

nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# ---------------------------------------------------------------- build the lab
log "building namespaces"
for ns in "${ALL_NS[@]}"; do
  ip netns add "$ns"
  ip -n "$ns" link set lo up
  nsx "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done
ip -n "$NS_BR" link add br0 type bridge stp_state 0 mcast_snooping 0
ip -n "$NS_BR" link set br0 up
# veth pairs: one end on the bridge, the other in the node namespace
ip -n "$NS_BR" link add p-srv type veth peer name "$SRV_IF" netns "$NS_SRV"
ip -n "$NS_BR" link add p-cli type veth peer name "$CLI_IF" netns "$NS_CLI"
ip -n "$NS_BR" link add p-rly type veth peer name "$RLY_UP" netns "$NS_RLY"
for p in p-srv p-cli p-rly; do
  ip -n "$NS_BR" link set "$p" master br0
  ip -n "$NS_BR" link set "$p" up
done
# relay downstream link (198.18.11.0/24) straight to the relayed client
ip -n "$NS_RLY" link add "$RLY_DOWN" type veth peer name "$RCL_IF" netns "$NS_RCL"

ip -n "$NS_SRV" link set "$SRV_IF" address "$MAC_SRV"
ip -n "$NS_SRV" addr add "$SRV_IP/24" dev "$SRV_IF"
ip -n "$NS_SRV" link set "$SRV_IF" up
ip -n "$NS_SRV" route add 198.18.11.0/24 via "$RLY_UP_IP"

ip -n "$NS_RLY" link set "$RLY_UP" address "$MAC_RLY_UP"
ip -n "$NS_RLY" link set "$RLY_DOWN" address "$MAC_RLY_DOWN"
ip -n "$NS_RLY" addr add "$RLY_UP_IP/24" dev "$RLY_UP"
ip -n "$NS_RLY" addr add "$RLY_DOWN_IP/24" dev "$RLY_DOWN"
ip -n "$NS_RLY" link set "$RLY_UP" up
ip -n "$NS_RLY" link set "$RLY_DOWN" up

ip -n "$NS_RCL" link set "$RCL_IF" address "$MAC_RELAYED"
ip -n "$NS_RCL" link set "$RCL_IF" up

set_client_mac() {
  ip -n "$NS_CLI" link set "$CLI_IF" down
  ip -n "$NS_CLI" addr flush dev "$CLI_IF"
  ip -n "$NS_CLI" link set "$CLI_IF" address "$1"
  ip -n "$NS_CLI" link set "$CLI_IF" up
}
set_client_mac "$MAC_DHCLIENT"

# ---------------------------------------------------------------- configs
NOOP=$WORK/noop-hook.sh
cat >"$NOOP" <<EOF
#!/bin/sh
# no-op client hook: log arguments and environment, configure nothing
{ echo "== \$0 \$*"; env | sort; } >>"$WORK/hook.log" 2>/dev/null
exit 0
EOF
chmod 755 "$NOOP"

DHCPD_CONF=$WORK/dhcpd.conf
DHCPD_LEASES=$WORK/dhcpd.leases
DHCPD_PID=$WORK/dhcpd.pid
: >"$DHCPD_LEASES"
cat >"$DHCPD_CONF" <<EOF
# ISC dhcpd reference configuration for hadhcpd fixtures
authoritative;
ddns-update-style none;
default-lease-time 600;
max-lease-time 7200;
ping-check false;
server-identifier $SRV_IP;

subnet 198.18.10.0 netmask 255.255.255.0 {
  range 198.18.10.100 198.18.10.199;
  option subnet-mask 255.255.255.0;
  option broadcast-address 198.18.10.255;
  option routers 198.18.10.1;
  option domain-name-servers 198.18.10.53, 198.18.10.54;
  option domain-name "lab.hadhcpd.test";
  option domain-search "lab.hadhcpd.test", "hadhcpd.test";
}

subnet 198.18.11.0 netmask 255.255.255.0 {
  range 198.18.11.100 198.18.11.199;
  option subnet-mask 255.255.255.0;
  option broadcast-address 198.18.11.255;
  option routers 198.18.11.1;
  option domain-name-servers 198.18.10.53;
  option domain-name "relay.hadhcpd.test";
  option domain-search "relay.hadhcpd.test", "hadhcpd.test";
}

host hfx-dhclient {
  hardware ethernet $MAC_DHCLIENT;
  fixed-address $RESERVED_IP;
  option host-name "reserved-host";
}
EOF

DHCLIENT_CONF=$WORK/dhclient.conf
cat >"$DHCLIENT_CONF" <<'EOF'
option rfc3442-classless-static-routes code 121 = array of unsigned integer 8;
timeout 15;
retry 1;
send host-name "hfx-dhclient";
request subnet-mask, broadcast-address, time-offset, routers,
        domain-name, domain-name-servers, domain-search, host-name,
        netbios-name-servers, netbios-scope, interface-mtu,
        rfc3442-classless-static-routes, ntp-servers;
EOF
DHCPCD_CONF=$WORK/dhcpcd-empty.conf
: >"$DHCPCD_CONF"

# ---------------------------------------------------------------- versions
V_DHCPD=$(dhcpd --version 2>&1 | head -1 || true)
V_DHCLIENT=$(dhclient --version 2>&1 | head -1 || true)
V_BUSYBOX=$(busybox 2>&1 | head -1 || true)
V_DHCPCD=$(dhcpcd --version 2>&1 | head -1 || true)
V_DHCRELAY=$(dhcrelay --version 2>&1 | head -1 || true)
V_TCPDUMP=$(tcpdump --version 2>&1 | head -1 || true)
V_TSHARK=$(tshark --version 2>/dev/null | head -1 || true)
pkgver() { dpkg-query -W -f='${Package} ${Version}' "$1" 2>/dev/null || echo "$1 ?"; }
P_DHCPD=$(pkgver isc-dhcp-server)
P_DHCLIENT=$(pkgver isc-dhcp-client)
P_UDHCPC=$(pkgver udhcpc)
P_DHCPCD=$(pkgver dhcpcd-base)
P_DHCRELAY=$(pkgver isc-dhcp-relay)
KERNEL=$(uname -r)

# ---------------------------------------------------------------- dhcpd
DHCPD_CMD="dhcpd -4 -f -d -cf $DHCPD_CONF -lf $DHCPD_LEASES -pf $DHCPD_PID $SRV_IF"
log "starting: ip netns exec $NS_SRV $DHCPD_CMD"
ip netns exec "$NS_SRV" dhcpd -4 -f -d -cf "$DHCPD_CONF" -lf "$DHCPD_LEASES" -pf "$DHCPD_PID" "$SRV_IF" \
  >"$WORK/dhcpd.log" 2>&1 &
DHCPD_PIDNUM=$!
PIDS+=("$DHCPD_PIDNUM")
if ! wait_for "$WORK/dhcpd.log" '^Server starting service' 15; then
  cat "$WORK/dhcpd.log" >&2
  echo "dhcpd did not start" >&2
  exit 1
fi

# ---------------------------------------------------------------- capture
CAP_FILTER='udp port 67 or udp port 68'
TCPDUMP_PID=
CAP=
# cap_start NAME [NS IFACE]
cap_start() {
  local name=$1 ns=${2:-$NS_SRV} ifc=${3:-$SRV_IF}
  CAP=$WORK/$name.pcap
  CAP_DESC="tcpdump --immediate-mode -i $ifc -n -s 0 -U -w $name.pcap '$CAP_FILTER' in namespace $ns ($V_TCPDUMP)"
  CAP_IF_DESC="$ifc in namespace $ns"
  ip netns exec "$ns" tcpdump -Z root --immediate-mode -i "$ifc" -n -s 0 -U -w "$CAP" "$CAP_FILTER" >"$WORK/$name.tcpdump.log" 2>&1 &
  TCPDUMP_PID=$!
  PIDS+=("$TCPDUMP_PID")
  wait_for "$WORK/$name.tcpdump.log" 'listening on' 10 || { cat "$WORK/$name.tcpdump.log" >&2; exit 1; }
  sleep 0.2
}
cap_stop() {
  sleep 1
  stop_pid "$TCPDUMP_PID" TERM
}

# ---------------------------------------------------------------- fixture writer
# fixtures are written to a staging dir and copied over $OUT only after validation
OUT_FINAL=$OUT
OUT=$WORK/fixtures
mkdir -p "$OUT"
WRITTEN=()
MISSING=()

# frame_of CAP FILTER -> first matching frame number (empty if none)
frame_of() {
  tshark -r "$1" -Y "$2" -T fields -e frame.number 2>/dev/null | head -1
}

# emit NAME FILTER WHAT SENDER SENDER_CMD [required|optional]
#   the scenario's CAP, CAP_DESC, CAP_IF_DESC, TRIGGER are taken from globals
emit() {
  local name=$1 filter=$2 what=$3 sender=$4 scmd=$5 need=${6:-required}
  local file=$OUT/$name.hex n hex epoch when
  n=$(frame_of "$CAP" "$filter")
  if [[ -z $n ]]; then
    log "MISSING $name (no frame matches: $filter)"
    MISSING+=("$name")
    [[ $need == required ]] && FAILED=1
    return 0
  fi
  hex=$(tshark -r "$CAP" -Y "frame.number==$n" -T fields -e udp.payload 2>/dev/null | tr -d ':\n' | tr 'A-F' 'a-f')
  epoch=$(tshark -r "$CAP" -Y "frame.number==$n" -T fields -e frame.time_epoch 2>/dev/null)
  when=$(date -u -d "@${epoch%%.*}" +%Y-%m-%dT%H:%M:%SZ)
  {
    echo "# hadhcpd DHCPv4 packet fixture: one DHCP message, UDP payload only (no Ethernet/IP/UDP headers)"
    echo "# packet:   $what"
    echo "# sender:   $sender"
    echo "# command:  $scmd"
    echo "# trigger:  $TRIGGER"
    echo "# server:   $V_DHCPD ($P_DHCPD) at $SRV_IP: $DHCPD_CMD"
    echo "# captured: $when (frame $n of $(basename "$CAP")), kernel $KERNEL, veth pairs on a Linux bridge"
    echo "# capture:  interface $CAP_IF_DESC; $CAP_DESC"
    echo "# filter:   $filter"
    echo "# length:   $((${#hex} / 2)) bytes"
    echo "# workdir:  \$WORK = mktemp -d /tmp/hfx-capture.XXXXXX (configs and NOOP hook written by the script)"
    echo "# regenerate: sudo bash scripts/capture-fixtures.sh"
    echo "#"
    echo "# tshark one-line ($V_TSHARK):"
    tshark -r "$CAP" -Y "frame.number==$n" -t ud 2>/dev/null | sed 's/^ */#   /'
    echo "#"
    echo "# tshark -r $(basename "$CAP") -Y 'frame.number==$n' -O dhcp -V (DHCP part):"
    tshark -r "$CAP" -Y "frame.number==$n" -O dhcp -V 2>/dev/null |
      sed -n '/^Dynamic Host Configuration Protocol/,$p' | sed -e '/^[[:space:]]*$/d' -e 's/^/#   /'
    echo "#"
  } | sed "s|$WORK|\$WORK|g" >"$file"
  echo "$hex" | fold -w 64 >>"$file"
  WRITTEN+=("$name")
  log "wrote $name.hex (frame $n, $((${#hex} / 2)) bytes)"
}
FAILED=0
ISC_SENDER="$V_DHCPD ($P_DHCPD), namespace $NS_SRV interface $SRV_IF $SRV_IP"
ISC_CMD="ip netns exec $NS_SRV $DHCPD_CMD"

M() { echo "dhcp.hw.mac_addr == $1"; }
T() { echo "dhcp.option.dhcp == $1"; }   # 1 DISCOVER 2 OFFER 3 REQUEST 5 ACK 6 NAK 7 RELEASE 8 INFORM

# ================================================================ 1. dhclient
log "scenario: dhclient obtain + release"
set_client_mac "$MAC_DHCLIENT"
DHCL_LEASE=$WORK/dhclient.leases
DHCL_PID=$WORK/dhclient.pid
: >"$DHCL_LEASE"
DHCL_CMD="ip netns exec $NS_CLI dhclient -4 -1 -d -v -cf $DHCLIENT_CONF -sf $NOOP -lf $DHCL_LEASE -pf $DHCL_PID $CLI_IF"
DHCL_REL_CMD="ip netns exec $NS_CLI dhclient -4 -r -v -cf $DHCLIENT_CONF -sf $NOOP -lf $DHCL_LEASE -pf $WORK/dhclient-release.pid $CLI_IF (after 'ip addr add $RESERVED_IP/24 dev $CLI_IF', so the unicast RELEASE has a source address)"
cap_start dhclient
$DHCL_CMD >"$WORK/dhclient.log" 2>&1 &
pid=$!
PIDS+=("$pid")
wait_for "$WORK/dhclient.log" 'bound to' 30 || log "dhclient did not bind"
stop_pid "$pid"
rm -f "$DHCL_PID"
ip -n "$NS_CLI" addr add "$RESERVED_IP/24" dev "$CLI_IF"
timeout 20 ip netns exec "$NS_CLI" dhclient -4 -r -v -cf "$DHCLIENT_CONF" -sf "$NOOP" -lf "$DHCL_LEASE" \
  -pf "$WORK/dhclient-release.pid" "$CLI_IF" >"$WORK/dhclient-release.log" 2>&1 || log "dhclient -r rc=$?"
wait_for "$WORK/dhcpd.log" "DHCPRELEASE of $RESERVED_IP" 5 || true
cap_stop
ip -n "$NS_CLI" addr flush dev "$CLI_IF"
TRIGGER="$DHCL_CMD"
S="$V_DHCLIENT ($P_DHCLIENT), namespace $NS_CLI interface $CLI_IF MAC $MAC_DHCLIENT"
emit dhclient-discover "$(T 1) && $(M $MAC_DHCLIENT)" "DHCPDISCOVER from ISC dhclient (broadcast, flags 0, host-name, PRL)" "$S" "$DHCL_CMD"
emit isc-offer-dhclient "$(T 2) && $(M $MAC_DHCLIENT)" "DHCPOFFER from ISC dhcpd to dhclient (host reservation $RESERVED_IP, unicast to chaddr)" "$ISC_SENDER" "$ISC_CMD"
emit dhclient-request-selecting "$(T 3) && $(M $MAC_DHCLIENT) && dhcp.option.dhcp_server_id" "DHCPREQUEST from ISC dhclient, SELECTING state (server-id + requested-ip, ciaddr 0)" "$S" "$DHCL_CMD"
emit isc-ack-dhclient "$(T 5) && $(M $MAC_DHCLIENT)" "DHCPACK from ISC dhcpd to dhclient (host reservation $RESERVED_IP)" "$ISC_SENDER" "$ISC_CMD"
TRIGGER="$DHCL_REL_CMD"
emit dhclient-release "$(T 7) && $(M $MAC_DHCLIENT)" "DHCPRELEASE from ISC dhclient -r (unicast to server, ciaddr = lease)" "$S" "$DHCL_REL_CMD"

# ================================================================ 2. udhcpc
log "scenario: udhcpc obtain"
set_client_mac "$MAC_UDHCPC"
UDH_CMD="ip netns exec $NS_CLI udhcpc -i $CLI_IF -f -q -n -t 3 -T 2 -A 1 -s $NOOP -x hostname:hfx-udhcpc"
cap_start udhcpc
timeout 30 $UDH_CMD >"$WORK/udhcpc.log" 2>&1 || log "udhcpc rc=$?"
cap_stop
TRIGGER="$UDH_CMD"
S="$V_BUSYBOX udhcpc ($P_UDHCPC), namespace $NS_CLI interface $CLI_IF MAC $MAC_UDHCPC"
emit udhcpc-discover "$(T 1) && $(M $MAC_UDHCPC)" "DHCPDISCOVER from busybox udhcpc (client-id 61 = 01+MAC, vendor class 'udhcp', hostname)" "$S" "$UDH_CMD"
emit isc-offer-udhcpc "$(T 2) && $(M $MAC_UDHCPC)" "DHCPOFFER from ISC dhcpd to udhcpc (dynamic range)" "$ISC_SENDER" "$ISC_CMD"
emit udhcpc-request "$(T 3) && $(M $MAC_UDHCPC)" "DHCPREQUEST from busybox udhcpc, SELECTING state (server-id + requested-ip, client-id)" "$S" "$UDH_CMD"
emit isc-ack-udhcpc "$(T 5) && $(M $MAC_UDHCPC)" "DHCPACK from ISC dhcpd to udhcpc" "$ISC_SENDER" "$ISC_CMD"

# ================================================================ 3. dhcpcd
log "scenario: dhcpcd obtain"
set_client_mac "$MAC_DHCPCD"
DCD_CMD="ip netns exec $NS_CLI dhcpcd -4 -1 -B -d --noconfigure -f $DHCPCD_CONF -c $NOOP -L -A -K -t 15 -h hfx-dhcpcd $CLI_IF"
cap_start dhcpcd
$DCD_CMD >"$WORK/dhcpcd.log" 2>&1 &
pid=$!
PIDS+=("$pid")
wait_exit "$pid" 30 || { log "dhcpcd still running, stopping it"; stop_pid "$pid"; }
kill_ns_leftovers "$NS_CLI"
cap_stop
rm -f "$DHCPCD_LEASE"
TRIGGER="$DCD_CMD"
S="$V_DHCPCD ($P_DHCPCD), namespace $NS_CLI interface $CLI_IF MAC $MAC_DHCPCD"
emit dhcpcd-discover "$(T 1) && $(M $MAC_DHCPCD)" "DHCPDISCOVER from dhcpcd (client-id, vendor class, hostname, max message size, PRL)" "$S" "$DCD_CMD"
emit isc-offer-dhcpcd "$(T 2) && $(M $MAC_DHCPCD)" "DHCPOFFER from ISC dhcpd to dhcpcd" "$ISC_SENDER" "$ISC_CMD" optional
emit dhcpcd-request "$(T 3) && $(M $MAC_DHCPCD)" "DHCPREQUEST from dhcpcd, SELECTING state" "$S" "$DCD_CMD"
emit isc-ack-dhcpcd "$(T 5) && $(M $MAC_DHCPCD)" "DHCPACK from ISC dhcpd to dhcpcd" "$ISC_SENDER" "$ISC_CMD"

# ================================================================ 4. relayed udhcpc
log "scenario: udhcpc behind dhcrelay -a"
RLY_CMD="ip netns exec $NS_RLY dhcrelay -4 -d -a -pf $WORK/dhcrelay.pid -iu $RLY_UP -id $RLY_DOWN $SRV_IP"
$RLY_CMD >"$WORK/dhcrelay.log" 2>&1 &
RLY_PIDNUM=$!
PIDS+=("$RLY_PIDNUM")
wait_for "$WORK/dhcrelay.log" '^Sending on' 10 || { cat "$WORK/dhcrelay.log" >&2; log "dhcrelay did not start"; }
sleep 0.5
RUDH_CMD="ip netns exec $NS_RCL udhcpc -i $RCL_IF -f -q -n -t 3 -T 2 -A 1 -s $NOOP -x hostname:hfx-relayed"
# second tcpdump on the relay's downstream side: what the client sees
ip netns exec "$NS_RLY" tcpdump -Z root --immediate-mode -i "$RLY_DOWN" -n -s 0 -U -w "$WORK/relayed-down.pcap" "$CAP_FILTER" >"$WORK/relayed-down.tcpdump.log" 2>&1 &
DOWN_PID=$!
PIDS+=("$DOWN_PID")
wait_for "$WORK/relayed-down.tcpdump.log" 'listening on' 10 || true
cap_start relayed
timeout 30 $RUDH_CMD >"$WORK/udhcpc-relayed.log" 2>&1 || log "relayed udhcpc rc=$?"
cap_stop
stop_pid "$DOWN_PID" TERM
stop_pid "$RLY_PIDNUM"
TRIGGER="$RUDH_CMD (relay: $RLY_CMD)"
SR="$V_DHCRELAY ($P_DHCRELAY), namespace $NS_RLY, upstream $RLY_UP $RLY_UP_IP, downstream $RLY_DOWN $RLY_DOWN_IP; relaying $V_BUSYBOX udhcpc MAC $MAC_RELAYED"
emit relayed-discover-opt82 "$(T 1) && $(M $MAC_RELAYED) && dhcp.ip.relay == $RLY_DOWN_IP" "DHCPDISCOVER from udhcpc as forwarded by ISC dhcrelay -a (giaddr $RLY_DOWN_IP, hops 1, option 82 circuit-id '$RLY_DOWN')" "$SR" "$RLY_CMD"
emit isc-offer-relayed "$(T 2) && $(M $MAC_RELAYED)" "DHCPOFFER from ISC dhcpd to the relay (unicast to giaddr:67, option 82 echoed)" "$ISC_SENDER" "$ISC_CMD"
emit relayed-request-opt82 "$(T 3) && $(M $MAC_RELAYED) && dhcp.ip.relay == $RLY_DOWN_IP" "DHCPREQUEST from udhcpc as forwarded by ISC dhcrelay -a (giaddr, hops 1, option 82)" "$SR" "$RLY_CMD"
emit isc-ack-relayed "$(T 5) && $(M $MAC_RELAYED)" "DHCPACK from ISC dhcpd to the relay (unicast to giaddr:67, option 82 echoed)" "$ISC_SENDER" "$ISC_CMD"
# the relay's reply towards the client (option 82 stripped), captured on the downstream side
CAP_SAVE=$CAP
CAP=$WORK/relayed-down.pcap
CAP_DESC="tcpdump --immediate-mode -i $RLY_DOWN -n -s 0 -U -w relayed-down.pcap '$CAP_FILTER' in namespace $NS_RLY ($V_TCPDUMP)"
CAP_IF_DESC="$RLY_DOWN in namespace $NS_RLY (relay downstream, client side)"
emit dhcrelay-offer-to-client "$(T 2) && $(M $MAC_RELAYED)" "DHCPOFFER as sent by ISC dhcrelay to the client on the downstream link (option 82 stripped)" "$V_DHCRELAY ($P_DHCRELAY), namespace $NS_RLY interface $RLY_DOWN" "$RLY_CMD" optional
CAP=$CAP_SAVE

# ================================================================ 5. INIT-REBOOT: NAK / ignored
# dhclient starts with a lease file holding an unexpired lease for ADDRESS, so it
# enters INIT-REBOOT and broadcasts a REQUEST (requested-ip ADDRESS, no server-id,
# ciaddr 0). ISC dhcpd (authoritative) answers:
#   address from a foreign subnet          -> "wrong network" -> DHCPNAK
#   address actively leased to another MAC -> DHCPNAK expected (optional fixture)
#   address with no lease (here: the host reservation of another MAC) -> "unknown lease",
#                                             no answer; dhclient falls back to DISCOVER
run_initreboot() { # NAME MAC ADDRESS EXPECT_REGEX SECONDS
  local name=$1 mac=$2 addr=$3 expect=$4 secs=$5 lease=$WORK/dhclient-$1.leases pidf=$WORK/dhclient-$1.pid cmd pid
  set_client_mac "$mac"
  cat >"$lease" <<EOF
lease {
  interface "$CLI_IF";
  fixed-address $addr;
  option subnet-mask 255.255.255.0;
  option dhcp-lease-time 86400;
  option dhcp-server-identifier $SRV_IP;
  renew 4 2037/12/31 00:00:00;
  rebind 4 2037/12/31 00:00:00;
  expire 4 2037/12/31 00:00:00;
}
EOF
  cmd="ip netns exec $NS_CLI dhclient -4 -1 -d -v -cf $DHCLIENT_CONF -sf $NOOP -lf $lease -pf $pidf $CLI_IF"
  cap_start "$name"
  $cmd >"$WORK/$name.log" 2>&1 &
  pid=$!
  PIDS+=("$pid")
  wait_for "$WORK/$name.log" "$expect" "$secs" || log "$name: '$expect' not seen in dhclient output"
  stop_pid "$pid"
  cap_stop
  IR_CMD=$cmd
  TRIGGER="$cmd (lease file preloaded with an unexpired lease: fixed-address $addr, dhcp-server-identifier $SRV_IP, expire 2037)"
}
S_DHCL() { echo "$V_DHCLIENT ($P_DHCLIENT), namespace $NS_CLI interface $CLI_IF MAC $1"; }

log "scenario: NAK for a foreign-subnet address (INIT-REBOOT)"
run_initreboot nak-foreign "$MAC_NAK" "$FOREIGN_IP" 'DHCPNAK' 20
emit nak-foreign-request-init-reboot "$(T 3) && $(M $MAC_NAK) && dhcp.option.requested_ip_address == $FOREIGN_IP" \
  "DHCPREQUEST from ISC dhclient, INIT-REBOOT state (requested-ip $FOREIGN_IP from another subnet, no server-id, ciaddr 0, broadcast)" \
  "$(S_DHCL $MAC_NAK)" "$IR_CMD"
emit nak-foreign-isc-nak "$(T 6) && $(M $MAC_NAK)" \
  "DHCPNAK from ISC dhcpd (authoritative) to the INIT-REBOOT request for $FOREIGN_IP: wrong network (broadcast)" \
  "$ISC_SENDER" "$ISC_CMD"

UDHCPC_IP=$(grep -oE 'lease of [0-9.]+ obtained' "$WORK/udhcpc.log" | head -1 | awk '{print $3}' || true)
if [[ -n $UDHCPC_IP ]]; then
  log "scenario: INIT-REBOOT for an address leased to another client ($UDHCPC_IP, udhcpc)"
  run_initreboot nak-leased "$MAC_NAK2" "$UDHCPC_IP" 'DHCPNAK|DHCPDISCOVER' 25
  emit nak-leased-request-init-reboot "$(T 3) && $(M $MAC_NAK2) && dhcp.option.requested_ip_address == $UDHCPC_IP" \
    "DHCPREQUEST from ISC dhclient, INIT-REBOOT state (requested-ip $UDHCPC_IP = active lease of udhcpc $MAC_UDHCPC)" \
    "$(S_DHCL $MAC_NAK2)" "$IR_CMD" optional
  emit nak-leased-isc-nak "$(T 6) && $(M $MAC_NAK2)" \
    "DHCPNAK from ISC dhcpd (authoritative): $UDHCPC_IP is leased to another client" \
    "$ISC_SENDER" "$ISC_CMD" optional
else
  log "udhcpc lease address unknown, skipping nak-leased"
  MISSING+=(nak-leased-request-init-reboot nak-leased-isc-nak)
fi

log "scenario: INIT-REBOOT for the reserved address of another client (ISC stays silent)"
run_initreboot ignored-reserved "$MAC_NAK3" "$RESERVED_IP" 'DHCPDISCOVER' 30
emit ignored-reserved-request-init-reboot "$(T 3) && $(M $MAC_NAK3) && dhcp.option.requested_ip_address == $RESERVED_IP" \
  "DHCPREQUEST from ISC dhclient, INIT-REBOOT state (requested-ip $RESERVED_IP = host reservation of $MAC_DHCLIENT); ISC dhcpd logs 'unknown lease' and sends nothing (no NAK); dhclient repeats it once, then DISCOVERs" \
  "$(S_DHCL $MAC_NAK3)" "$IR_CMD" optional

# ================================================================ 6. INFORM (dhcpcd --inform)
log "scenario: DHCPINFORM from dhcpcd --inform"
set_client_mac "$MAC_INFORM"
ip -n "$NS_CLI" addr add "$INFORM_IP/24" dev "$CLI_IF"
INF_CMD="ip netns exec $NS_CLI dhcpcd -4 -1 -B -d --noconfigure -f $DHCPCD_CONF -c $NOOP -L -A -K -t 15 -h hfx-dhcpcd --inform $INFORM_IP/24 $CLI_IF"
cap_start inform
$INF_CMD >"$WORK/dhcpcd-inform.log" 2>&1 &
pid=$!
PIDS+=("$pid")
wait_exit "$pid" 20 || { log "dhcpcd --inform still running, stopping it"; stop_pid "$pid"; }
kill_ns_leftovers "$NS_CLI"
cap_stop
rm -f "$DHCPCD_LEASE"
ip -n "$NS_CLI" addr flush dev "$CLI_IF"
TRIGGER="$INF_CMD (after 'ip addr add $INFORM_IP/24 dev $CLI_IF')"
S="$V_DHCPCD ($P_DHCPCD), namespace $NS_CLI interface $CLI_IF MAC $MAC_INFORM"
emit dhcpcd-inform "$(T 8) && $(M $MAC_INFORM)" "DHCPINFORM from dhcpcd --inform (ciaddr $INFORM_IP)" "$S" "$INF_CMD" optional
emit isc-ack-inform "$(T 5) && $(M $MAC_INFORM)" "DHCPACK from ISC dhcpd answering a DHCPINFORM (yiaddr 0, no lease time)" "$ISC_SENDER" "$ISC_CMD" optional

# ---------------------------------------------------------------- validate
log "validating fixtures"
python3 - "$OUT" "${WRITTEN[@]}" <<'PY'
import sys
out, names = sys.argv[1], sys.argv[2:]
bad = 0
for n in names:
    path = f"{out}/{n}.hex"
    hexs = "".join(l.strip() for l in open(path) if not l.startswith("#"))
    b = bytes.fromhex(hexs)
    err = []
    if len(b) < 240: err.append(f"too short ({len(b)})")
    if b[0] not in (1, 2): err.append(f"op {b[0]}")
    if b[1] != 1 or b[2] != 6: err.append("htype/hlen not ethernet")
    if b[236:240] != bytes.fromhex("63825363"): err.append("no magic cookie at 236")
    i, end, mtype = 240, None, None
    while i < len(b):
        c = b[i]
        if c == 0: i += 1; continue
        if c == 255: end = i; break
        if i + 1 >= len(b) or i + 2 + b[i + 1] > len(b): err.append(f"option {c} overruns at {i}"); break
        if c == 53: mtype = b[i + 2]
        i += 2 + b[i + 1]
    if end is None: err.append("no end option")
    elif any(b[end + 1:]): err.append("non-zero bytes after end option")
    if mtype is None: err.append("no option 53")
    print(f"  {'OK ' if not err else 'BAD'} {n}.hex len={len(b)} op={b[0]} type={mtype} end@{end} {'; '.join(err)}", file=sys.stderr)
    bad += bool(err)
sys.exit(1 if bad else 0)
PY

if ((${#MISSING[@]})); then log "not captured: ${MISSING[*]}"; fi
if ((FAILED)); then
  log "some required fixtures are missing; $OUT_FINAL left unchanged"
  KEEP_WORK=1
  exit 1
fi
mkdir -p "$OUT_FINAL/pcap"
rm -f "$OUT_FINAL"/*.hex "$OUT_FINAL"/pcap/*.pcap "$OUT_FINAL"/pcap/*.log
cp "$OUT"/*.hex "$OUT_FINAL"/
# the raw captures (only udp 67/68 inside the lab) and ISC dhcpd's log, for reference
cp "$WORK"/*.pcap "$OUT_FINAL"/pcap/
sed "s|$WORK|\$WORK|g" "$WORK/dhcpd.log" >"$OUT_FINAL/pcap/dhcpd.log"
sed "s|$WORK|\$WORK|g" "$DHCPD_CONF" >"$OUT_FINAL/pcap/dhcpd.conf"
log "written: ${#WRITTEN[@]} fixtures in $OUT_FINAL"
