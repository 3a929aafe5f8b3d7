# syntax=docker/dockerfile:1
# The stbulk image: a static binary (CGO_ENABLED=0), on distroless, as a
# user other than root.
#
#   docker build -t stbulk:local --build-arg VERSION=1.2.3 \
#     --build-arg COMMIT=$(git rev-parse HEAD) --build-arg DATE=$(date -u +%Y-%m-%dT%H:%M:%SZ) .
#   docker run --rm stbulk:local version
#
# docs/install.md tells how to use it; samples/compose.yaml runs a sandbox
# and an import against it.

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
ARG COMMIT=
ARG DATE=
RUN CGO_ENABLED=0 go build -trimpath -buildvcs=false \
      -ldflags "-s -w -X main.version=${VERSION} -X main.commit=${COMMIT} -X main.date=${DATE}" \
      -o /out/stbulk . \
 && mkdir -p /out/data/stbulk-runs \
 && chmod 1777 /out/data /out/data/stbulk-runs

# distroless static: CA certificates, time zones, /etc/passwd with nonroot
# (65532); no shell.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/stbulk /usr/local/bin/stbulk
# The working folder, writable whatever the user the container runs as
# (compose may set one): run folders are written under it.
COPY --from=build /out/data /data
COPY --from=build /src/mappings /usr/share/stbulk/mappings
WORKDIR /data
USER nonroot:nonroot
ENTRYPOINT ["stbulk"]
CMD ["--help"]
