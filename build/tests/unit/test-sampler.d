build/tests/unit/test-sampler.o: tests/unit/test-sampler.c lib/sampler.h \
 tests/unit/unit.h lib/util.h
lib/sampler.h:
tests/unit/unit.h:
lib/util.h:
