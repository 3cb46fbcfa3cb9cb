build/lib/stats.o: lib/stats.c lib/stats.h
lib/stats.h:
