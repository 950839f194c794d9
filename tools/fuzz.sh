#!/usr/bin/env bash
# Fuzzes the project's file parsers with AFL++ through SharpFuzz for a bounded time (a benchmark-style job: never in CI).
#   tools/fuzz.sh [TARGET|all] [MINUTES]      TARGET: wav ogg mp3 safetensors pickle manifest (default: wav 10)
#   tools/fuzz.sh wav:8,ogg:10,pickle:5        several targets in turn, each for its own minutes
# Installs afl++ with apt when missing (as root), restores the sharpfuzz tool (dotnet-tools.json), builds fuzz/, instruments
# PianoJudges.Lib (its Audio, Data and Encoders.Weights namespaces), NAudio.Core, NVorbis, NLayer and CsvHelper in a copy
# of the build output, writes each target's seeds (fuzz/Seeds.cs), runs one afl-fuzz instance at a time for MINUTES each,
# and copies every crash and hang, replayed, to tests/Fixtures/fuzz-regressions/TARGET/ (tests/Reliability/FuzzRegressionTests.cs
# feeds them all through the real readers). docs/RELIABILITY.md ("Fuzzing") explains the contract and the numbers.
# Work files go to artifacts/fuzz/ (PIANOJUDGES_FUZZ_WORK); each run's stats are appended to artifacts/fuzz/runs.tsv.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

all_targets=(wav ogg mp3 safetensors pickle manifest)
target=${1:-wav}
minutes=${2:-10}
if [ "$target" = all ]; then target=$(IFS=,; echo "${all_targets[*]}"); fi
targets=()
declare -A budget
IFS=, read -ra specs <<< "$target"
for spec in "${specs[@]}"; do
  t=${spec%%:*}; m=$minutes
  [[ "$spec" == *:* ]] && m=${spec#*:}
  [[ " ${all_targets[*]} " == *" $t "* ]] || { echo "tools/fuzz.sh: unknown target '$t' (targets: ${all_targets[*]} all)" >&2; exit 2; }
  [[ "$m" =~ ^[0-9]+$ ]] && [ "$m" -gt 0 ] || { echo "tools/fuzz.sh: minutes must be a positive whole number, got '$m' for $t" >&2; exit 2; }
  targets+=("$t"); budget[$t]=$m
done

if ! command -v afl-fuzz >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "tools/fuzz.sh: installing afl++"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq afl++ >/dev/null
  else
    echo "tools/fuzz.sh: afl-fuzz is missing; install AFL++ (e.g. 'sudo apt-get install afl++')" >&2
    exit 1
  fi
fi
dotnet tool restore >/dev/null

work=${PIANOJUDGES_FUZZ_WORK:-$root/artifacts/fuzz}
mkdir -p "$work"
echo "tools/fuzz.sh: building the harness"
dotnet build fuzz -c Release -v quiet -nologo >/dev/null
out=fuzz/bin/Release/net10.0

# Instrument a copy, so that the build output (and an incremental rebuild) never holds half-instrumented assemblies;
# the large native runtimes are linked, not copied.
bin=$work/bin
rm -rf "$bin"
mkdir -p "$bin"
for f in "$out"/*; do
  if [ "$(basename "$f")" = runtimes ]; then ln -s "$root/$f" "$bin/runtimes"; else cp -a "$f" "$bin/"; fi
done
sharpfuzz() { dotnet tool run sharpfuzz "$@" >/dev/null; }
sharpfuzz "$bin/PianoJudges.Lib.dll" PianoJudges.Audio PianoJudges.Data PianoJudges.Encoders.Weights
for dll in NAudio.Core NVorbis NLayer CsvHelper; do sharpfuzz "$bin/$dll.dll"; done
harness=(dotnet "$bin/PianoJudges.Fuzz.dll")
plain=(dotnet "$root/$out/PianoJudges.Fuzz.dll") # seeding, replay and export outside afl-fuzz: instrumented code needs its shared memory

runs=$work/runs.tsv
[ -f "$runs" ] || printf 'started\ttarget\tseconds\texecs\texecs_per_sec\tcorpus\tbitmap_cvg\tcrashes\thangs\n' > "$runs"

for t in "${targets[@]}"; do
  dir=$work/$t
  regressions=tests/Fixtures/fuzz-regressions/$t
  rm -rf "$dir/seeds" "$dir/findings"
  mkdir -p "$dir" "$regressions"
  "${plain[@]}" seed "$t" "$dir/seeds" "$work/cache" >/dev/null
  # earlier findings start the corpus too (the pickle target's fixtures are wrapped in a zip, not fuzzer inputs)
  if [ "$t" != pickle ]; then find "$regressions" -type f ! -name '*.md' -exec cp {} "$dir/seeds/" \;; fi

  minutes=${budget[$t]}
  echo "tools/fuzz.sh: fuzzing $t for $minutes min ($(ls "$dir/seeds" | wc -l) seeds)"
  started=$(date -u +%FT%TZ)
  # GCHeapHardLimit turns an input that makes the reader allocate without bound into an OutOfMemoryException (a crash).
  AFL_SKIP_BIN_CHECK=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1 AFL_NO_UI=1 \
    DOTNET_GCHeapHardLimit=0x60000000 DOTNET_CLI_TELEMETRY_OPTOUT=1 \
    afl-fuzz -V $((minutes * 60)) -i "$dir/seeds" -o "$dir/findings" -t 5000 -m none -x "fuzz/dict/$t.dict" \
      -- "${harness[@]}" run "$t" > "$dir/afl.log" 2>&1 || { echo "tools/fuzz.sh: afl-fuzz failed for $t; see $dir/afl.log:" >&2; tail -20 "$dir/afl.log" >&2; exit 1; }

  stats=$dir/findings/default/fuzzer_stats
  afl_stat() { awk -F' *: *' -v k="$1" '$1 == k { print $2 }' "$stats"; }
  crashes=$(afl_stat saved_crashes); hangs=$(afl_stat saved_hangs)
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$started" "$t" "$(afl_stat run_time)" "$(afl_stat execs_done)" "$(afl_stat execs_per_sec)" \
    "$(afl_stat corpus_count)" "$(afl_stat bitmap_cvg)" "$crashes" "$hangs" >> "$runs"
  echo "tools/fuzz.sh: $t: $(afl_stat execs_done) execs ($(afl_stat execs_per_sec)/s), corpus $(afl_stat corpus_count), coverage $(afl_stat bitmap_cvg), $crashes crashes, $hangs hangs"

  for kind in crashes hangs; do
    for f in "$dir/findings/default/$kind"/id:*; do
      [ -e "$f" ] || continue
      ext=$(case $t in wav) echo .wav;; ogg) echo .ogg;; mp3) echo .mp3;; safetensors) echo .safetensors;; pickle) echo .pth;; manifest) echo .csv;; esac)
      name=${kind%es}; name=${name%s}-$(sha256sum "$f" | cut -c1-12)$ext
      "${plain[@]}" export "$t" "$f" "$regressions/$name"
      echo "  $regressions/$name: $(timeout 60 "${plain[@]}" replay "$t" "$f" 2>&1 | head -3 | cut -c1-300 | tr '\n' ' ' || true)"
    done
  done
done
echo "tools/fuzz.sh: run statistics in $runs"
