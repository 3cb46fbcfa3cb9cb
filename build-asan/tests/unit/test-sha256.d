build-asan/tests/unit/test-sha256.o: tests/unit/test-sha256.c \
 lib/sha256.h tests/unit/unit.h lib/util.h
lib/sha256.h:
tests/unit/unit.h:
lib/util.h:
