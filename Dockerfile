# Symmetree: one image, SageMaker's two modes — `IMAGE train` and `IMAGE serve`.
#
# Base images are build arguments so a locally built image can be named where no registry is
# reachable (scripts/container-test builds both from Debian's apt mirror with debootstrap).
ARG SWIFT_IMAGE=swift:6.3-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim

FROM ${SWIFT_IMAGE} AS build
# liburing-dev: liburing.a is linked statically; zlib1g-dev: gzip training files;
# libopenmpi-dev: mpi.h (types only; libmpi is opened at run time, under mpirun).
RUN if ! dpkg -s liburing-dev zlib1g-dev libopenmpi-dev >/dev/null 2>&1; then \
      export DEBIAN_FRONTEND=noninteractive && apt-get -q update \
      && apt-get -q install -y --no-install-recommends liburing-dev zlib1g-dev libopenmpi-dev && rm -rf /var/lib/apt/lists/*; \
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
# Multi-host jobs run as SageMaker's training toolkit runs MPI (sagemaker_training/mpi.py): the
# first host runs Open MPI's mpirun over ssh, every other host serves sshd. So the image carries
# openmpi-bin (mpirun, orted, libmpi.so.40) and both ends of ssh. Every container of the image
# holds the same root key pair, so the hosts of a job log in to each other without a password;
# sshd accepts only that key (no passwords), and SageMaker's hosts share a private network.
RUN export DEBIAN_FRONTEND=noninteractive && apt-get -q update \
 && apt-get -q install -y --no-install-recommends openmpi-bin openssh-server openssh-client \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /run/sshd /root/.ssh && chmod 700 /root/.ssh \
 && ssh-keygen -q -t ed25519 -N '' -f /root/.ssh/id_ed25519 \
 && cp /root/.ssh/id_ed25519.pub /root/.ssh/authorized_keys \
 && printf 'Host *\n  StrictHostKeyChecking no\n  UserKnownHostsFile /dev/null\n  LogLevel ERROR\n' > /root/.ssh/config \
 && printf 'PasswordAuthentication no\nPermitRootLogin prohibit-password\n' > /etc/ssh/sshd_config.d/symmetree.conf
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
