#!/bin/sh
# make_optima.sh regenerates the exact-optimum test instances under optima/:
# it writes each instance and its integer program (gen/main.go), solves the
# program with CBC (Debian: apt-get install coinor-cbc) and stores the
# optimum, existing cover included, in optima/<name>/optimum.txt.
# The Go tests only read the results; they never need CBC.
set -eu
cd "$(dirname "$0")"
lpdir=$(mktemp -d)
trap 'rm -rf "$lpdir"' EXIT
go run ./gen -out optima -lp "$lpdir" > "$lpdir/existing.txt"
while read -r name _ existing; do
	cbc "$lpdir/$name.lp" solve solu "$lpdir/$name.sol" > "$lpdir/$name.log"
	status=$(head -n 1 "$lpdir/$name.sol")
	case "$status" in
	Optimal*) ;;
	*) echo "$name: CBC did not prove optimality: $status" >&2; exit 1 ;;
	esac
	# "Optimal - objective value 1234.5"
	gain=$(echo "$status" | sed 's/.*objective value *//')
	awk -v g="$gain" -v e="$existing" 'BEGIN { printf "%.6f\n", g + e }' > "optima/$name/optimum.txt"
	echo "$name optimum $(cat "optima/$name/optimum.txt") ($(grep -m1 'Total time' "$lpdir/$name.log" || true))"
done < "$lpdir/existing.txt"
