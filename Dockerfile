# rtspeek in a container: `docker build -t rtspeek .`, then for example
#   docker run --rm --network host rtspeek probe rtsps://192.168.1.64/live --ca /certs/site-ca.pem
#   docker run --rm --network host -v "$PWD:/etc/rtspeek" rtspeek serve /etc/rtspeek/serve.toml
# Host networking lets the probe's RTP/UDP ports and the server's listeners reach the cameras and clients
# directly (UDP media behind NAT needs it). Built in two stages: the toolchain and the page are not shipped.

FROM rust:1.89-bookworm AS build
# g++ for OpenH264 (the synthetic camera), libssl-dev and pkg-config for the --legacy-tls client, nodejs and
# npm for the page's wasm-opt (cargo xtask web installs what else it needs: the wasm32 target, wasm-bindgen-cli).
RUN apt-get update \
    && apt-get install -y --no-install-recommends g++ libssl-dev pkg-config nodejs npm \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cargo xtask web && cargo build --release --locked -p rtspeek

FROM debian:bookworm-slim
# libssl3 for the legacy TLS client; ca-certificates for `--trust system`.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libssl3 ca-certificates \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/target/release/rtspeek /usr/local/bin/rtspeek
RUN useradd --system --home /var/lib/rtspeek --create-home rtspeek
USER rtspeek
ENV RTSPEEK_DATA_DIR=/var/lib/rtspeek
EXPOSE 8322 8554 8080
ENTRYPOINT ["rtspeek"]
CMD ["--help"]
