# syntax=docker/dockerfile:1
# Hive Console: a static Go binary in a distroless, non-root image. The browser bundle is built
# with npm in its own stage; generated templ code is checked, not trusted.

FROM node:20-bookworm-slim AS assets
WORKDIR /src/static
COPY static/package.json static/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY static/ ./
RUN npm run build

FROM golang:1.26-bookworm AS build
ARG VERSION=dev
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
COPY --from=assets /src/static/dist ./static/dist
RUN go tool templ generate -check
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/hiveconsole . \
    && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/hiveconsole /hiveconsole
COPY --from=build --chown=65532:65532 /out/data /data
ENV HIVECONSOLE_ADDR=0.0.0.0:8080 \
    HIVECONSOLE_DATA_DIR=/data
VOLUME ["/data"]
EXPOSE 8080
USER 65532:65532
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s CMD ["/hiveconsole", "healthcheck"]
ENTRYPOINT ["/hiveconsole"]
CMD ["serve"]
