# baseline: LAB_RUNS runs of LAB_WORKLOAD (options LAB_SET) labelled LAB_LABEL
sets=
for s in ${LAB_SET:-}; do sets="$sets --$s"; done
mmstorm run "${LAB_WORKLOAD:-thp-munmap}" $sets --repeat="${LAB_RUNS:-5}" --label="${LAB_LABEL:-good}" --json
lab_wait_idle 1500
mmstorm runs
