build-asan/lib/sampler.o: lib/sampler.c lib/procfs.h lib/sampler.h \
 lib/util.h
lib/procfs.h:
lib/sampler.h:
lib/util.h:
