#!/usr/bin/env bash
# Runs every fuzz target (tests/xunit/Fuzz) for MINUTES in all, shared evenly, and prints how
# many cases each ran. CI runs the same targets for a few seconds each as part of the tests.
# A failure prints CsCheck's shrunk input and the seed that reproduces it
# (TALTUN_FUZZ_SECONDS=N CsCheck_Seed=SEED dotnet test tests/xunit --filter ...).
#
#   bench/fuzz.sh [minutes, default 10]
set -euo pipefail
cd "$(dirname "$0")/.."

MINUTES="${1:-10}"
targets=$(grep -c '^    \[Fact\]' tests/xunit/Fuzz/FuzzTargets.cs)
export TALTUN_FUZZ_SECONDS=$(( MINUTES * 60 / targets ))
echo "Fuzzing $targets targets for $TALTUN_FUZZ_SECONDS s each."
dotnet test tests/xunit -c Release -nologo --filter "FullyQualifiedName~Taltun.Tests.Fuzz" \
    --logger "console;verbosity=detailed" 2>&1 | tee /dev/stderr | grep -E '^ +[A-Za-z]+: (Passed|Failed)' | sed 's/^ *//'
