# pmbd in a container.  Build and run it with host networking:
#   docker build -t pmbd .
#   docker run -d --name pmbd --net=host \
#     -v /etc/pmbd:/etc/pmbd:ro -v pmbd-state:/var/lib/pmbd pmbd
# --net=host, not -p 623:623/udp: Serial-over-LAN needs pmbd's reply port
# to be the one the client sent to, clients' real addresses matter for
# per-host limits and logs, Wake-on-LAN broadcasts must reach the LAN and
# nodes must reach node_listen (README, "Deployment").
# /etc/pmbd/pmbd.conf must be readable by uid pmbd (e.g. chmod 0644, or
# group-owned by the pmbd group id of the image: see `id pmbd` inside).
# tests/blackbox/docker.sh replays these steps without a Docker engine.

# Build stage: the compiler and the -dev packages of the Makefile's PKGS.
FROM debian:12-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends \
	gcc make pkg-config libc6-dev libevent-dev libssl-dev libconfig-dev \
	libsystemd-dev libserialport-dev libgpiod-dev \
	&& rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN make build/pmbd

# Runtime stage: the shared libraries build/pmbd links against, no more.
FROM debian:12-slim
RUN apt-get update && apt-get install -y --no-install-recommends \
	libevent-2.1-7 libssl3 libconfig9 libsystemd0 libserialport0 libgpiod2 \
	&& rm -rf /var/lib/apt/lists/* \
	&& useradd --system --user-group --groups dialout \
	   --home-dir /var/lib/pmbd --shell /usr/sbin/nologin pmbd \
	&& mkdir -p /var/lib/pmbd /etc/pmbd \
	&& chown pmbd:pmbd /var/lib/pmbd && chmod 0700 /var/lib/pmbd
COPY --from=build /src/build/pmbd /usr/sbin/pmbd
# Port 623 without root: the one capability, as a file capability on the
# binary (it needs NET_BIND_SERVICE in the container's bounding set, which
# Docker grants by default, and no --security-opt no-new-privileges).
RUN apt-get update && apt-get install -y --no-install-recommends libcap2-bin \
	&& setcap cap_net_bind_service=+ep /usr/sbin/pmbd \
	&& apt-get purge -y --auto-remove libcap2-bin \
	&& rm -rf /var/lib/apt/lists/*
COPY --chown=root:pmbd --chmod=0640 etc/pmbd.conf /etc/pmbd/pmbd.conf
VOLUME ["/etc/pmbd", "/var/lib/pmbd"]
USER pmbd
# Healthy while pmbd answers an RMCP/ASF presence ping on 127.0.0.1:623
# (the default configuration listens on 0.0.0.0:623).
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
	CMD ["/usr/sbin/pmbd", "--ping", "127.0.0.1:623"]
ENTRYPOINT ["/usr/sbin/pmbd", "-f"]
CMD ["-c", "/etc/pmbd/pmbd.conf"]
