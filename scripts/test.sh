#!/usr/bin/env bash
# Runs every Taltun test (xunit, then Pester against the built module) from a fresh clone and
# ends with one line "N passed, N failed": the two suites' totals added up. Exits non-zero if
# anything failed or could not run. Needs root (network namespaces, TUN devices).
set -uo pipefail
cd "$(dirname "$0")/.."
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 NO_COLOR=1

results=out/test-results
passed=0
failed=0

finish() {
    echo "$passed passed, $failed failed"
    if ((failed > 0)); then exit 1; fi
    exit 0
}

if ! scripts/install-prerequisites.sh || ! scripts/build.sh; then
    echo "Setting up or building failed: no test could run." >&2
    failed=1
    finish
fi
rm -rf "$results"
mkdir -p "$results"

# xunit: the counts come from the TRX report, which also counts tests that crashed the host.
dotnet test tests/xunit -c Release -nologo --logger "trx;LogFileName=xunit.trx" \
    --logger "console;verbosity=normal" --results-directory "$results"
xunit_exit=$?
counters=$(grep -o '<Counters [^>]*>' "$results/xunit.trx" 2>/dev/null)
xunit_passed=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
xunit_failed=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
if [[ -z "$xunit_passed" ]]; then
    echo "xunit produced no report (exit code $xunit_exit)." >&2
    xunit_passed=0 xunit_failed=1
elif ((xunit_exit != 0 && xunit_failed == 0)); then
    echo "xunit exited with $xunit_exit although no test failed." >&2
    xunit_failed=1
fi
echo "xunit: $xunit_passed passed, $xunit_failed failed"
passed=$((passed + xunit_passed))
failed=$((failed + xunit_failed))

pester_module=$(ls -d "${NUGET_PACKAGES:-$HOME/.nuget/packages}"/pester/5.7.1/tools/Pester.psd1)
dotnet pwsh -NoLogo -NoProfile -NonInteractive -File tests/Pester/Invoke-TaltunPester.ps1 \
    -PesterModulePath "$pester_module" -CountsPath "$results/pester.counts" -ResultsPath "$results/pester.xml"
if read -r pester_passed pester_failed <"$results/pester.counts" 2>/dev/null; then
    echo "Pester: $pester_passed passed, $pester_failed failed"
else
    echo "Pester did not report its results." >&2
    pester_passed=0 pester_failed=1
fi
passed=$((passed + pester_passed))
failed=$((failed + pester_failed))
finish
