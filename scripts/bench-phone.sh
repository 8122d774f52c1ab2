#!/usr/bin/env bash
# The phone on a busy set Wi-Fi, in Chromium (network emulation at 10 Mbit/s, 50 ms
# latency): each of the six hand-off steps from the tap to the confirmation on screen, p50
# and p95 over 20 runs; and how soon the live board shows a committed step (loopback).
# Needs what ./scripts/test.sh installs (Chromium, chromedriver). Figures: docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo nextest run -p coldset --run-ignored only -E 'test(bench_phone_steps_on_a_busy_set_network)' --no-capture 2>&1 \
  | grep -E '^(hand-off steps|  [a-z]|board:)'
