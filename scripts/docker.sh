# Sourced by the scripts that use Docker: `docker_up` makes sure a daemon answers, installing
# Debian's docker.io and starting dockerd without a bridge when needed (this machine kind has
# no registry and no traffic may go to a private range, so containers use --network host).
# Sets DOCKER to a client that builds with BuildKit without the buildx plugin.

# Whether the daemon answers (`docker info` exits 0 even when it does not).
daemon_answers() {
  "$DOCKER" version --format '{{.Server.Version}}' > /dev/null 2>&1
}

docker_up() {
  if [ -x /usr/bin/docker ]; then DOCKER=/usr/bin/docker; else DOCKER=${DOCKER:-docker}; fi
  if ! command -v dockerd > /dev/null; then
    echo "docker: installing Debian's docker.io"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -o DPkg::Lock::Timeout=300 -y -qq docker.io > /dev/null \
      || { apt-get update -o DPkg::Lock::Timeout=300 -qq && apt-get install -o DPkg::Lock::Timeout=300 -y -qq docker.io > /dev/null; }
    DOCKER=/usr/bin/docker
  fi
  if ! daemon_answers; then
    # A daemon that was killed leaves its pid file, and a new one refuses to start beside it
    # while that pid exists, even as a zombie nobody reaped: drop a file whose process is gone
    # or a zombie.
    for pidfile in /var/run/docker.pid /var/run/docker/containerd/containerd.pid; do
      [ -f "$pidfile" ] || continue
      state=$(awk '/^State:/ {print $2}' "/proc/$(cat "$pidfile")/status" 2> /dev/null || true)
      if [ -z "$state" ] || [ "$state" = Z ]; then
        rm -f "$pidfile"
      fi
    done
    echo "docker: starting dockerd (no bridge, no iptables)"
    nohup dockerd --bridge=none --iptables=false > "${TMPDIR:-/tmp}/casting-dockerd.log" 2>&1 &
    # Not a job of this script: the exit trap of scripts/lib.sh stops a script's own jobs, and
    # the daemon must outlive the script (CI's image test uses it next).
    disown $!
    for _ in $(seq 1 60); do
      daemon_answers && break
      sleep 1
    done
  fi
  daemon_answers || {
    echo "docker: the daemon does not answer" >&2
    tail -n 20 "${TMPDIR:-/tmp}/casting-dockerd.log" >&2 || true
    return 1
  }
  export DOCKER
}
