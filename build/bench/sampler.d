build/bench/sampler.o: bench/sampler.c lib/sampler.h lib/util.h
lib/sampler.h:
lib/util.h:
