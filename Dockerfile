# diaban: a cgo build (uber/h3-go links the H3 C library), then a slim runtime
# with the same glibc as the build stage.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=1 go build -trimpath -ldflags "-s -w" -o /out/diaban ./cmd/diaban

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/diaban /usr/local/bin/diaban
USER nobody
EXPOSE 8080
ENTRYPOINT ["diaban"]
CMD ["serve"]
