build-asan/tests/unit/test-identity.o: tests/unit/test-identity.c \
 lib/identity.h lib/sha256.h tests/unit/unit.h lib/util.h
lib/identity.h:
lib/sha256.h:
tests/unit/unit.h:
lib/util.h:
