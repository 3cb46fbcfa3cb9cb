# hotplug: seed 003's conditions on a 4-vCPU guest (label $LAB_LABEL).
# Sourced by the guest's /init (guest/lab-init); t-hotplug.sh checks it.
#   -conc    CPUs 1, 2 and 3 taken down by three writer threads at once,
#            no pressure (require_path=0: mechanics only)
#   -direct  pressure=direct: the cache file on the lab disk (the guest's
#            /var/tmp is tmpfs, not reclaimable), floor 5 % of 2 GiB, so
#            allocations enter direct reclaim while the CPUs go down; the
#            gate must find it (require_path is on); burst= (64M, the
#            default) faults huge pages during each offline and holds free
#            memory at the min watermark between them, and reclaim_cycles=3
#            goes on past the 12 cycles until 3 saw direct reclaim
#   -miss    no pressure and require_path on: made to miss its path, so
#            it must end skipped, never passed
L=${LAB_LABEL:-hp}
C=${LAB_CYCLES:-5}
mmstorm run hotplug --require_path=0 --pressure=none --concurrent=3 --cycles="$C" --label="$L-conc" --wait --json
mmstorm run hotplug --pressure=direct --floor=5 --workers=2 --cache_dir=/var/lib/mmstorm \
	--concurrent=3 --cycles="${LAB_DIRECT_CYCLES:-12}" --reclaim_cycles=3 --ramp=120s --label="$L-direct" --wait --json
mmstorm run hotplug --pressure=none --cycles=2 --label="$L-miss" --wait --json
mmstorm runs
