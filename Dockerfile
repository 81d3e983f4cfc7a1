# The casting-server image: a release build on the official Rust image, run on distroless/cc
# (glibc, libgcc, CA certificates, a nonroot user, no shell) as uid 65532.
#
#   docker build -t casting .
#   docker run -p 8080:8080 -e DATABASE_URL=… -e AUTH0_DOMAIN=… -e AUTH0_AUDIENCE=… casting
#
# Every setting comes from the environment (README, "Configuration"). With a binary built
# outside (target/release/casting-server), `docker build --target prebuilt` makes the same image
# without the compiling stage: the stages run in file order and stop at the target, so even
# Docker's legacy builder (a CLI without buildx) neither pulls the Rust image nor compiles.
# scripts/image.sh builds it that way on a machine that reaches no registry, with a local
# runtime base: see docs/deployment.md.

# Where the base images come from (override both to build offline, as scripts/image.sh does).
ARG RUST_IMAGE=docker.io/library/rust:1.95-slim-bookworm
ARG RUNTIME_IMAGE=gcr.io/distroless/cc-debian12:nonroot

# The runtime: everything but the binary.
FROM ${RUNTIME_IMAGE} AS runtime
# Listen on every interface inside the container; with AUTH0_DOMAIN unset the server refuses a
# non-loopback HOST, so an image without Auth0 settings never serves development tokens.
ENV HOST=0.0.0.0 \
    PORT=8080
EXPOSE 8080
USER 65532:65532
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
    CMD ["/usr/local/bin/casting-server", "health"]
ENTRYPOINT ["/usr/local/bin/casting-server"]
CMD ["serve"]

# The image with a binary built outside: `docker build --target prebuilt`.
FROM runtime AS prebuilt
COPY target/release/casting-server /usr/local/bin/casting-server

FROM ${RUST_IMAGE} AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p casting-server \
    && install -D target/release/casting-server /out/casting-server

# The default: the image with the binary compiled above.
FROM runtime
COPY --from=build /out/casting-server /usr/local/bin/casting-server
