build-asan/lib/identity.o: lib/identity.c lib/buf.h lib/util.h \
 lib/identity.h lib/sha256.h
lib/buf.h:
lib/util.h:
lib/identity.h:
lib/sha256.h:
