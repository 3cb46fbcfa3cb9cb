build/lib/pressure.o: lib/pressure.c lib/pressure.h lib/util.h
lib/pressure.h:
lib/util.h:
