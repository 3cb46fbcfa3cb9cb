build/tests/unit/test-stats.o: tests/unit/test-stats.c lib/stats.h \
 tests/unit/unit.h
lib/stats.h:
tests/unit/unit.h:
