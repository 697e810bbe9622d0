# Pacto: build on Debian 12, run on Debian 12 slim as a non-root user.
#   docker build -t pacto .
#   docker run -e PACTO_DATABASE_URL=... -e PACTO_JWT_SECRET=... -p 8080:8080 pacto

FROM debian:bookworm AS build
WORKDIR /src
# The dependency layer is rebuilt only when the package list changes.
COPY scripts/install-deps.sh scripts/
RUN scripts/install-deps.sh --build && rm -rf /var/lib/apt/lists/*
COPY . .
RUN cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    && cmake --build build --target pacto -j2

FROM debian:bookworm-slim
COPY scripts/install-deps.sh /tmp/
RUN /tmp/install-deps.sh --runtime \
    && rm -rf /var/lib/apt/lists/* /tmp/install-deps.sh \
    && useradd --system --no-create-home --shell /usr/sbin/nologin pacto
COPY --from=build /src/build/pacto /usr/local/bin/pacto
USER pacto
EXPOSE 8080
ENV PACTO_LISTEN=0.0.0.0:8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=15s --retries=3 \
    CMD ["curl", "-fsS", "-o", "/dev/null", "http://127.0.0.1:8080/healthz"]
ENTRYPOINT ["pacto"]
CMD ["serve", "--migrate"]
