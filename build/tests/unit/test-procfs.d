build/tests/unit/test-procfs.o: tests/unit/test-procfs.c lib/procfs.h \
 tests/unit/unit.h lib/util.h
lib/procfs.h:
tests/unit/unit.h:
lib/util.h:
