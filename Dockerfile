# diaban: a cgo build (uber/h3-go links the H3 C library), then a slim runtime
# with the same glibc as the build stage. One image for every command; the
# Compose demo runs it with scripts/docker-demo.sh as its entrypoint.
FROM golang:1.27.3-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=1 go build -trimpath -ldflags "-s -w" -o /out/diaban ./cmd/diaban

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /var/lib/diaban && chown nobody:nogroup /var/lib/diaban && chmod 700 /var/lib/diaban
COPY --from=build /out/diaban /usr/local/bin/diaban
COPY scripts/docker-demo.sh /usr/local/bin/diaban-demo
USER nobody
WORKDIR /var/lib/diaban
# serve listens on DIABAN_ADDR; the healthcheck asks /healthz on its port.
ENV DIABAN_ADDR=:8080
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=5s --start-period=10m --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${DIABAN_ADDR##*:} && printf 'GET /healthz HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && read -r _ status _ <&3 && [ \"$status\" = 200 ]"]
ENTRYPOINT ["diaban"]
CMD ["serve"]
