# Builds a gear image: the gear's Mix project, compiled on top of an elixir
# image (docker/elixir/Dockerfile). AWS Batch runs containers from it.
#
# Build context: the gear's Mix project directory. Copy
# docker/gear.dockerignore there as .dockerignore, so that _build, deps and
# the config files with secrets stay out of the context.
#
# Build args:
#   elixir_image             (required) the elixir image to build on.
#   previous_image           (required) an image whose /home/batch/gear/_build
#                            and /home/batch/gear/deps are copied in first to
#                            speed the build up: an earlier gear image, or
#                            the elixir image itself to build from scratch.
#   mix_env                  (required) dev or prod: the stage to build.
#   antikythera_compile_env  (required with prod) ANTIKYTHERA_COMPILE_ENV for
#                            the prod compile.
#   antikythera_runtime_env  (required with prod) ANTIKYTHERA_RUNTIME_ENV for
#                            the prod compile and the image.
#
# Build secrets and SSH:
#   --ssh default            (required) an SSH agent that can read the gear's
#                            private dependencies; mix deps.get uses it.
#   --secret id=test_secret  (required with prod) gear_test_config.json, the
#                            whitebox test config; mix test reads it from
#                            WHITEBOX_TEST_SECRET_JSON. A database on the
#                            building host is host.docker.internal there.
#
# The image relies on the elixir image running as the user batch (uid 501,
# HOME /home/batch) with mix on PATH without sourcing anything.
ARG elixir_image
ARG previous_image
ARG mix_env

# BuildKit builds only the stages that the final stage needs, so a dev build
# never runs the prod stage and never asks for the test secret.

FROM ${previous_image} AS previous
# An elixir image has neither directory, and COPY --from needs both.
RUN mkdir -p /home/batch/gear/_build /home/batch/gear/deps


FROM ${elixir_image} AS setup
ARG mix_env
ENV MIX_ENV=${mix_env}
USER batch

# GitHub's published SSH host keys (ed25519, ecdsa, rsa), pinned here so that
# mix deps.get can fetch git dependencies over SSH without asking.
RUN mkdir -p /home/batch/gear /home/batch/.ssh \
 && chmod 700 /home/batch/.ssh \
 && echo 'github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl' >> /home/batch/.ssh/known_hosts \
 && echo 'github.com ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBEmKSENjQEezOmxkZMy7opKgwFB9nkt5YRrYMjNuG5N87uRgg6CLrbo5wAdT/y6v0mKV0U2w0WZ2YB/++Tpockg=' >> /home/batch/.ssh/known_hosts \
 && echo 'github.com ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABgQCj7ndNxQowgcQnjshcLrqPEiiphnt+VTTvDP6mHBL9j1aNUkY4Ue1gvwnGLVlOhGeYrnZaMgRK6+PKCUXaDbC7qtbW8gIkhL7aGCsOr/C56SJMy/BCZfxd1nWzAOxSDPgVsmerOBYfNqltV9/hWCqBywINIR+5dIg6JTJ72pcEpEjcYgXkE2YEFXV1JHnsKgbLWNlhScqb2UmyRkQyytRLtL+38TGxkxCflmO+5Z8CSSNY7GidjMIZ7Q4zMjA2n1nGrlTDkzwDCsw+wqFPGQA179cnfGWOWRVruj16z6XyvxvjJwbz0wQZ75XK5tKSb7FNyeIEs4TT4jk+S4dhPeAUC5y+bDYirYgM4GC7uEnztnZyaVWQ7B381AK4Qdrwt51ZqExKbQpTUNn+EjqoTwvqNj4kqx5QUCI0ThS/YkOxJCXmPUWZbhjpCg56i+2aB6CmK2JGhn57K5mj0MNdBXA4/WnwH6XoPWJzK5Nyu2zB3nAZp+S5hpQs+p1vN1/wsjk=' >> /home/batch/.ssh/known_hosts \
 && chmod 600 /home/batch/.ssh/known_hosts

WORKDIR /home/batch/gear
COPY --from=previous --chown=batch:batch /home/batch/gear/_build ./_build
COPY --from=previous --chown=batch:batch /home/batch/gear/deps ./deps
COPY --chown=batch:batch . .

RUN --mount=type=ssh,id=default,uid=501 mix deps.get


FROM setup AS dev
ENV MIX_ENV=dev
RUN mix compile


FROM setup AS prod
# The whitebox test config reaches mix test only through the environment of
# that one process: it never lands in a layer, an ENV or an ARG.
RUN --mount=type=secret,id=test_secret,required=true,uid=501 \
    WHITEBOX_TEST_SECRET_JSON="$(cat /run/secrets/test_secret)" MIX_ENV=test mix test

ARG antikythera_compile_env
ARG antikythera_runtime_env
RUN if [ -z "${antikythera_compile_env}" ] || [ -z "${antikythera_runtime_env}" ]; then \
      echo "the build args antikythera_compile_env and antikythera_runtime_env are required" \
           "with mix_env=prod (got '${antikythera_compile_env}' and '${antikythera_runtime_env}')" >&2; \
      exit 1; \
    fi
RUN MIX_ENV=prod \
    ANTIKYTHERA_COMPILE_ENV="${antikythera_compile_env}" \
    ANTIKYTHERA_RUNTIME_ENV="${antikythera_runtime_env}" \
    mix compile
ENV MIX_ENV=prod \
    ANTIKYTHERA_RUNTIME_ENV=${antikythera_runtime_env}


FROM ${mix_env}
