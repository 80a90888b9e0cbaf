# pmbd in a container: run it with host networking so IPMI clients reach
# it on the host's addresses, e.g.
#   docker build -t pmbd .
#   docker run --net=host -v /etc/pmbd:/etc/pmbd:ro -v pmbd-state:/var/lib/pmbd pmbd
FROM debian:12-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends \
	gcc make pkg-config libevent-dev libssl-dev libconfig-dev \
	&& rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN make build/pmbd

FROM debian:12-slim
RUN apt-get update && apt-get install -y --no-install-recommends \
	libevent-2.1-7 libssl3 libconfig9 \
	&& rm -rf /var/lib/apt/lists/* \
	&& useradd --system --home /var/lib/pmbd pmbd \
	&& mkdir -p /var/lib/pmbd /etc/pmbd && chown pmbd /var/lib/pmbd
COPY --from=build /src/build/pmbd /usr/sbin/pmbd
# Port 623 without root: the one capability, on the binary.
RUN apt-get update && apt-get install -y --no-install-recommends libcap2-bin \
	&& setcap cap_net_bind_service=+ep /usr/sbin/pmbd \
	&& apt-get purge -y libcap2-bin && rm -rf /var/lib/apt/lists/*
COPY etc/pmbd.conf /etc/pmbd/pmbd.conf
VOLUME /var/lib/pmbd
USER pmbd
ENTRYPOINT ["/usr/sbin/pmbd", "-f", "-c", "/etc/pmbd/pmbd.conf"]
