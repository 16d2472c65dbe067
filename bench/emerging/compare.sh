#!/bin/bash
# compare.sh — Gi* on one bin of 100,000 res-9 H3 cells (ring 1), diaban
# against R spdep's localG, plus the whole emerging analysis of 100,000
# cells × 60 bins from the CLI. Needs Go and, for the comparison, Rscript
# with spdep (Debian: r-base-core r-cran-spdep). Run from the repository root:
#
#   bash bench/emerging/compare.sh [CELLS] [BINS]
set -eu
cells=${1:-100000}
bins=${2:-60}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

go build -o "$dir/diaban" ./cmd/diaban
go run ./bench/emerging/gen -out "$dir" -cells "$cells" -bins "$bins"
echo "inputs: $(wc -l < "$dir/values.csv") values, $(wc -l < "$dir/neighbors.csv") neighbour rows, $(wc -l < "$dir/cube.csv") cube rows"

# Wall time in seconds of a command (portable across shells).
timeit() {
	start=$(date +%s.%N)
	"$@"
	end=$(date +%s.%N)
	echo "$end - $start" | bc
}

echo "diaban stats gistar (read CSV + neighbours + Gi* + write): $(timeit sh -c "'$dir/diaban' stats gistar --values '$dir/values.csv' --neighbors '$dir/neighbors.csv' > '$dir/go.csv'") s"
echo "diaban emerging ($cells cells x $bins bins, ring 1, from CSV): $(timeit sh -c "'$dir/diaban' emerging --cube '$dir/cube.csv' > '$dir/cat.csv'") s"
echo "categories: $(tail -n +2 "$dir/cat.csv" | cut -d, -f2 | sort | uniq -c | sort -rn | tr '\n' ';')"
echo "Go in-process (no CSV):"
go test -run XXX -bench 'GiStarOneBin|Analyze/ring1$' -benchtime 5x ./hotspot/emerging | grep Benchmark

if command -v Rscript > /dev/null; then
	t=$(timeit sh -c "Rscript bench/emerging/localg.R '$dir/values.csv' '$dir/neighbors.csv' '$dir/r.csv' > '$dir/r.log'")
	cat "$dir/r.log"
	echo "Rscript localg.R total: $t s"
	# Largest difference between the two z columns.
	join -t, <(tail -n +2 "$dir/go.csv" | cut -d, -f1,2 | sort) <(tail -n +2 "$dir/r.csv" | sort) 2>/dev/null |
		awk -F, '{d = $2 - $3; if (d < 0) d = -d; if (d > m) m = d} END {printf "max |z_diaban - z_spdep| = %.3g over %d cells\n", m, NR}'
else
	echo "Rscript not found: skipping the spdep comparison"
fi
