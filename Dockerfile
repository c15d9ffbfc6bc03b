# Symmetree: one image, SageMaker's two modes — `IMAGE train` and `IMAGE serve`.
#
# Base images are build arguments so a locally built image can be named where no registry is
# reachable (scripts/container-test builds both from Debian's apt mirror with debootstrap).
ARG SWIFT_IMAGE=swift:6.3-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim

FROM ${SWIFT_IMAGE} AS build
# liburing-dev: liburing.a is linked statically; zlib1g-dev: gzip training files.
RUN if ! dpkg -s liburing-dev zlib1g-dev >/dev/null 2>&1; then \
      export DEBIAN_FRONTEND=noninteractive && apt-get -q update \
      && apt-get -q install -y --no-install-recommends liburing-dev zlib1g-dev && rm -rf /var/lib/apt/lists/*; \
    fi
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
COPY Benchmarks ./Benchmarks
RUN swift build -c release --static-swift-stdlib --product symmetree \
 && cp "$(swift build -c release --show-bin-path)/symmetree" /symmetree \
 && strip /symmetree

FROM ${RUNTIME_IMAGE}
# The binary needs only libc, libstdc++, libgcc and zlib, all in bookworm-slim (liburing is static).
COPY --from=build /symmetree /usr/local/bin/symmetree
# SageMaker mounts /opt/ml; the program creates what it writes, whoever it runs as.
ENV SYMMETREE_ML_ROOT=/opt/ml
EXPOSE 8080
# SageMaker may then pass another port in SAGEMAKER_BIND_TO_PORT, which `serve` honours
# (developer guide, "Use Your Own Inference Code with Hosting Services").
LABEL com.amazonaws.sagemaker.capabilities.accept-bind-to-port=true
# Multi-model endpoints: with SAGEMAKER_MULTI_MODEL=true, `serve` answers the container API of
# the developer guide's "Custom Containers Contract for Multi-Model Endpoints" (/models …).
LABEL com.amazonaws.sagemaker.capabilities.multi-models=true
# Exec form: SageMaker runs `docker run IMAGE train|serve`, so argv[1] is the mode. The binary
# handles SIGTERM itself (PID 1): training checkpoints and stops, serving drains and exits 0.
ENTRYPOINT ["/usr/local/bin/symmetree"]
