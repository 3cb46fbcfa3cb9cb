build-asan/cli/cmd-runs.o: cli/cmd-runs.c lib/buf.h lib/util.h cli/cli.h \
 lib/util.h lib/db.h
lib/buf.h:
lib/util.h:
cli/cli.h:
lib/util.h:
lib/db.h:
