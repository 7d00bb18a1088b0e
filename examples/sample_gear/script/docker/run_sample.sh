#!/usr/bin/env bash
# Runs the sample job the way AWS Batch runs the gear image:
#   ./script/docker/run_sample.sh [--exit STATUS] [ARG...]
# RAISE_SERVER_CONFIG_JSON must hold the gear config JSON. Outside AWS Batch
# the job id and attempt that AWS Batch sets are faked.
set -euo pipefail

cd "$(dirname "$0")/../.."

export AWS_BATCH_JOB_ID="${AWS_BATCH_JOB_ID:-dummy-job-id}"
export AWS_BATCH_JOB_ATTEMPT="${AWS_BATCH_JOB_ATTEMPT:-1}"

exec mix sample.run "$@"
