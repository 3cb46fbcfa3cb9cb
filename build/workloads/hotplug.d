build/workloads/hotplug.o: workloads/hotplug.c lib/buf.h lib/util.h \
 lib/pressure.h lib/procfs.h lib/sampler.h lib/stats.h lib/util.h \
 lib/workload.h lib/options.h
lib/buf.h:
lib/util.h:
lib/pressure.h:
lib/procfs.h:
lib/sampler.h:
lib/stats.h:
lib/util.h:
lib/workload.h:
lib/options.h:
