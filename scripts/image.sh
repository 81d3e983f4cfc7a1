#!/usr/bin/env bash
# Builds the container image `casting:latest` (or $IMAGE) from the repository's Dockerfile on a
# machine that reaches no container registry, such as CI's.
#
# The Dockerfile's defaults pull the official Rust image to compile and distroless/cc to run.
# Neither can be pulled here, so this script:
#   1. builds the release binary on this machine (`cargo build --release --locked`);
#   2. makes the runtime base the way distroless/cc is made, from this machine's own files:
#      the shared libraries `ldd` names for the binary, the CA bundle, and passwd/group entries
#      for `nonroot` (uid 65532); `docker import`s it as casting-runtime:local;
#   3. builds the same Dockerfile with RUNTIME_IMAGE=casting-runtime:local and
#      `--target prebuilt` (the stage that copies target/release/casting-server; the stages
#      after it, the compiling one included, are never run, so the Rust image is never
#      pulled). BuildKit is used when the Docker CLI has buildx; Docker's legacy builder
#      otherwise (Debian's docker.io has no buildx), which stops at the target too.
# This machine is Debian 12, as distroless/cc-debian12 is: the same glibc either way.
#
# Needs: Docker (installed and started by scripts/docker.sh when missing), ldd, the CA bundle.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
. scripts/docker.sh

IMAGE=${IMAGE:-casting:latest}
RUNTIME=casting-runtime:local

docker_up

echo "== release binary"
cargo build --release --locked -p casting-server
# The Dockerfile's `prebuilt` stage copies target/release/casting-server from the context.
binary=target/release/casting-server
built="${CARGO_TARGET_DIR:-target}/release/casting-server"
if [ ! "$built" -ef "$binary" ]; then
  install -D "$built" "$binary"
fi

echo "== runtime base ($RUNTIME) from this machine's libraries"
root="$WORK/runtime"
mkdir -p "$root"
# Every library the binary loads, at the path the loader looks for it (links followed).
ldd "$binary" | awk '/=> \//{print $3} /^\s*\/[^ ]+ \(/{print $1}' | while read -r lib; do
  cp --parents -L "$lib" "$root/"
done
mkdir -p "$root/etc/ssl/certs" "$root/home/nonroot" "$root/tmp"
cp -L /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/"
printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' \
  > "$root/etc/passwd"
printf 'root:x:0:\nnonroot:x:65532:\n' > "$root/etc/group"
chown 65532:65532 "$root/home/nonroot"
chmod 1777 "$root/tmp"
tar --numeric-owner -C "$root" -c . | "$DOCKER" import - "$RUNTIME" > /dev/null

echo "== $IMAGE from the Dockerfile"
if "$DOCKER" buildx version > /dev/null 2>&1; then
  export DOCKER_BUILDKIT=1
else
  export DOCKER_BUILDKIT=0
fi
"$DOCKER" build --network host \
  --build-arg RUNTIME_IMAGE="$RUNTIME" \
  --target prebuilt \
  --tag "$IMAGE" .
"$DOCKER" image ls "$IMAGE"
size=$("$DOCKER" image inspect --format '{{.Size}}' "$IMAGE")
echo "image: $IMAGE, $((size / 1000000)) MB"
if [ "$size" -gt 80000000 ]; then
  echo "image: over 80 MB" >&2
  exit 1
fi
