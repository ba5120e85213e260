#!/bin/bash
# Runs once every task of the array has succeeded (--dependency=afterok).
#SBATCH --job-name=cnnc-merge
#SBATCH --time=00:10:00
#SBATCH --output=logs/merge.log
set -euo pipefail
cnnc sweep-merge shards/sweep-*.csv -o sweep.csv
