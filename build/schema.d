build/schema.o: build/schema.c lib/schema.h
lib/schema.h:
