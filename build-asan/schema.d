build-asan/schema.o: build-asan/schema.c lib/schema.h
lib/schema.h:
