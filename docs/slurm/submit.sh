#!/bin/bash
# Submits the sweep's job array and the merge that waits for it; prints
# the two job ids. Run from the directory that holds examples/ (a clone).
set -euo pipefail
here="$(dirname "${BASH_SOURCE[0]}")"
mkdir -p logs shards
array=$(sbatch --parsable "$here/sweep-array.sh")
merge=$(sbatch --parsable --dependency="afterok:${array}" "$here/merge.sh")
echo "$array $merge"
