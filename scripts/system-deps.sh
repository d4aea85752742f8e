#!/usr/bin/env bash
# Install the Debian packages the test suite needs, when they are missing:
# a Java runtime (Spark in local mode), Chromium and a CJK font (browser tests).
set -euo pipefail
need=()
command -v java >/dev/null 2>&1 || need+=(default-jre-headless)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
{ dpkg -s fonts-wqy-zenhei || dpkg -s fonts-noto-cjk; } >/dev/null 2>&1 || need+=(fonts-wqy-zenhei)
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "system-deps: missing ${need[*]} and not root: the tests that need them will be skipped" >&2
    exit 0
  fi
fi
echo "system-deps: installing ${need[*]}" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
