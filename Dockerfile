# structmigrate as a static binary (pure Go, CGO_ENABLED=0) with the
# migration directory and atlas.hcl embedded: the container needs no source
# tree. It runs `structmigrate --env prod apply` on $STORAGE_PATH, a file on
# the /data volume, and exits (0 when up to date).
#
# Build: docker build -t structmigrate .
# Run:   docker run --rm -v players-data:/data structmigrate
#        docker run --rm -v players-data:/data structmigrate --env prod status

FROM golang:1.26 AS build
WORKDIR /src
# Modules first, so a source change does not download them again.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/structmigrate .
# The volume's mount point, owned by distroless's nonroot user (65532): a new
# named volume starts with the ownership of the image's directory.
RUN mkdir -p /out/data && chown 65532:65532 /out/data

# Static and distroless: no shell, no libc; /tmp exists (the migration lock
# file goes there) and the process runs as nonroot.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/structmigrate /usr/local/bin/structmigrate
COPY --from=build --chown=65532:65532 /out/data /data
WORKDIR /app
ENV STORAGE_PATH=/data/players-sqlite3.db
VOLUME /data
ENTRYPOINT ["/usr/local/bin/structmigrate"]
CMD ["--env", "prod", "apply"]
