#!/usr/bin/env bash
# Builds the container image and runs the demo's health check in it, where a container
# engine is available (none runs on the project's CI machines: then it says so and stops).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! docker info >/dev/null 2>&1; then
  echo "no container engine here (docker info failed): the image was not built" >&2
  exit 0
fi
docker build -f packaging/Dockerfile -t coldset:test .
id=$(docker run -d -p 18443:8443 coldset:test)
trap 'docker rm -f "$id" >/dev/null' EXIT
for _ in $(seq 60); do
  if curl -fsk https://127.0.0.1:18443/healthz >/dev/null; then echo "the container serves"; exit 0; fi
  sleep 1
done
docker logs "$id" >&2
exit 1
