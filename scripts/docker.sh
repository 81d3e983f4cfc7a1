# Sourced by the scripts that use Docker: `docker_up` makes sure a daemon answers, installing
# Debian's docker.io and starting dockerd without a bridge when needed (this machine kind has
# no registry and no traffic may go to a private range, so containers use --network host).
# Sets DOCKER to a client that builds with BuildKit without the buildx plugin.

docker_up() {
  if [ -x /usr/bin/docker ]; then DOCKER=/usr/bin/docker; else DOCKER=${DOCKER:-docker}; fi
  if ! command -v dockerd > /dev/null; then
    echo "docker: installing Debian's docker.io"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq docker.io > /dev/null \
      || { apt-get update -qq && apt-get install -y -qq docker.io > /dev/null; }
    DOCKER=/usr/bin/docker
  fi
  if ! "$DOCKER" info > /dev/null 2>&1; then
    echo "docker: starting dockerd (no bridge, no iptables)"
    nohup dockerd --bridge=none --iptables=false > "${TMPDIR:-/tmp}/casting-dockerd.log" 2>&1 &
    for _ in $(seq 1 60); do
      "$DOCKER" info > /dev/null 2>&1 && break
      sleep 1
    done
  fi
  "$DOCKER" info > /dev/null 2>&1 || {
    echo "docker: the daemon does not answer" >&2
    tail -n 20 "${TMPDIR:-/tmp}/casting-dockerd.log" >&2 || true
    return 1
  }
  export DOCKER
}
