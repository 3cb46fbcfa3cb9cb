# mmstorm build.  `make` builds build/mmstorm; `make check` runs the suite;
# `make asan check` runs it under AddressSanitizer/UBSan; `make deps`
# installs the Debian packages; `make demo` is the README's first command.

PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/bin
# mmstormd's directory; the Debian package puts it in /usr/sbin.
SBINDIR   ?= $(BINDIR)
MANDIR    ?= $(PREFIX)/share/man
DESTDIR   ?=
BUILD     ?= build

PKGS      := sqlite3 jansson libevent libcurl numa zlib nettle libpq
CC        ?= cc
CFLAGS    ?= -O2 -g
WARN      := -Wall -Wextra -Wshadow -Wformat=2 -Wno-unused-parameter \
             -Wmissing-prototypes -Wstrict-prototypes
ifneq ($(CI)$(WERROR),)
WARN      += -Werror
endif
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
# Includes name their folder (#include "store/db.h"), so every include
# line shows which layer it reaches; only the top and $(BUILD) are on -I.
CPPFLAGS  += -D_GNU_SOURCE -I. -I$(BUILD) $(PKG_CFLAGS)
ALL_CFLAGS = -std=gnu11 $(WARN) $(CFLAGS) -pthread -MMD -MP
LDLIBS    += $(PKG_LIBS) -pthread -lm

ifeq ($(SAN),1)
CFLAGS    := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
             -fno-sanitize-recover=undefined
LDFLAGS   += -fsanitize=address,undefined
endif

# Lower layers first (docs/architecture.md).
LAYERS    := common probe kmsg store run workloads jobs analysis reports
LIB_SRC   := $(foreach d,$(LAYERS),$(wildcard $(d)/*.c))
CLI_SRC   := $(wildcard cli/*.c)
DAEMON_SRC := $(wildcard daemon/*.c)
UNIT_SRC  := $(wildcard tests/unit/*.c)
SCHEMA    := $(sort $(wildcard schema/*.sql))
SCHEMA_PG := $(sort $(wildcard schema/postgresql/*.sql))

LIB_OBJ   := $(LIB_SRC:%.c=$(BUILD)/%.o) $(BUILD)/schema.o
CLI_OBJ   := $(CLI_SRC:%.c=$(BUILD)/%.o)
DAEMON_OBJ := $(DAEMON_SRC:%.c=$(BUILD)/%.o)
UNIT_OBJ  := $(UNIT_SRC:%.c=$(BUILD)/%.o)

PROGRAMS  := $(BUILD)/mmstorm $(BUILD)/mmstormd
TEST_BINS := $(BUILD)/unit-tests
BENCH_BINS := $(patsubst bench/%.c,$(BUILD)/bench-%,$(wildcard bench/*.c))

all: $(PROGRAMS)

# The flags are part of what an object is built from (git's GIT-CFLAGS):
# $(BUILD)/.flags changes when they do, so `make WERROR=1 check` after a
# plain `make` recompiles every object with -Werror.
TRACK_FLAGS = $(subst ','\'',$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(LDFLAGS) $(LDLIBS))

$(BUILD)/.flags: FORCE
	@mkdir -p $(BUILD)
	@flags='$(TRACK_FLAGS)'; \
	if [ x"$$flags" != x"$$(cat $@ 2>/dev/null)" ]; then \
		echo "$$flags" > $@; \
	fi

$(BUILD)/%.o: %.c $(BUILD)/.flags
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

# The migrations are compiled into the binary so an installed mmstorm
# needs no data files; scripts/embed-schema.sh writes one C array per file.
$(BUILD)/schema.c: $(SCHEMA) $(SCHEMA_PG) scripts/embed-schema.sh
	@mkdir -p $(BUILD)
	sh scripts/embed-schema.sh $(SCHEMA) --postgresql $(SCHEMA_PG) > $@.tmp && mv $@.tmp $@

$(BUILD)/schema.o: $(BUILD)/schema.c $(BUILD)/.flags
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

# P: members keep their paths, so kmsg/format.o and common/format.o are
# two members, not one name twice.
$(BUILD)/libmmstorm.a: $(LIB_OBJ)
	rm -f $@ && ar rcsP $@ $^

$(BUILD)/mmstorm: $(CLI_OBJ) $(BUILD)/libmmstorm.a
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(BUILD)/libmmstorm.a $(LDLIBS)

$(BUILD)/mmstormd: $(DAEMON_OBJ) $(BUILD)/libmmstorm.a
	$(CC) $(LDFLAGS) -o $@ $(DAEMON_OBJ) $(BUILD)/libmmstorm.a $(LDLIBS)

$(BUILD)/unit-tests: $(UNIT_OBJ) $(BUILD)/libmmstorm.a
	$(CC) $(LDFLAGS) -o $@ $(UNIT_OBJ) $(BUILD)/libmmstorm.a $(LDLIBS)

$(BUILD)/bench-%: $(BUILD)/bench/%.o $(BUILD)/libmmstorm.a
	$(CC) $(LDFLAGS) -o $@ $< $(BUILD)/libmmstorm.a $(LDLIBS)

bench: $(BENCH_BINS) $(PROGRAMS)

check: $(PROGRAMS) $(TEST_BINS)
	BUILD=$(BUILD) sh tests/run-tests.sh

# A second tree so the sanitizer objects never mix with the normal ones.
asan:
	$(MAKE) BUILD=build-asan SAN=1 all $(if $(filter check,$(MAKECMDGOALS)),check-asan)

check-asan: $(BUILD)/mmstorm $(BUILD)/unit-tests
	BUILD=$(BUILD) sh tests/run-tests.sh

deps:
	sh scripts/install-deps.sh

# The VM lab (tests/vm/README.md): real Debian kernels under qemu, as root.
vm-check: $(PROGRAMS)
	BUILD=$(BUILD) sh tests/vm/check.sh

vm-check-quick: $(PROGRAMS)
	BUILD=$(BUILD) sh tests/vm/check.sh --quick

# The nightly driver over four real Debian ABIs (tests/vm/t-nightly.sh):
# slow, out of vm-check.
vm-check-nightly: $(PROGRAMS)
	BUILD=$(BUILD) sh tests/vm/check.sh t-nightly

# Seed 004's axis in the lab: a 16-vCPU guest, thp-munmap threads 1..16 and
# hotplug with 2..16 online CPUs (bench/README.md, "Many CPUs"); 25-40 min.
vm-check-wide: $(PROGRAMS)
	BUILD=$(BUILD) sh bench/vm-wide.sh -o $(BUILD)/vm-wide

# The nightly driver bisecting kernels built from Debian's linux-source-6.1
# (tests/vm/t-bisect-src.sh): builds kernels, slow, out of vm-check.
vm-check-bisect: $(PROGRAMS)
	BUILD=$(BUILD) sh tests/vm/check.sh t-bisect-src

demo: deps
	$(MAKE) all
	sh scripts/demo.sh

# What CI and the README's second command run: packages, a -Werror build,
# the whole suite, then the same suite under the sanitizers.
test-deps:
	sh scripts/install-deps.sh --test

# -Werror, ASan/UBSan, then the VM lab's quick subset (tests/run-all.sh).
test: test-deps
	sh tests/run-all.sh

UNITDIR   ?= $(PREFIX)/lib/systemd/system
# Where bash-completion and zsh look (a package sets
# ZSHCOMPDIR=/usr/share/zsh/vendor-completions, Debian's place).
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  ?= $(PREFIX)/share/zsh/site-functions

install: $(PROGRAMS)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR) $(DESTDIR)$(UNITDIR)
	install -m 0755 $(BUILD)/mmstorm $(DESTDIR)$(BINDIR)/
	install -m 0755 $(BUILD)/mmstormd $(DESTDIR)$(SBINDIR)/
	sed 's|@BINDIR@|$(SBINDIR)|g' systemd/mmstormd.service.in > \
	    $(DESTDIR)$(UNITDIR)/mmstormd.service
	sed 's|@BINDIR@|$(BINDIR)|g' systemd/mmstorm-nightly.service.in > \
	    $(DESTDIR)$(UNITDIR)/mmstorm-nightly.service
	install -m 0644 systemd/mmstorm-nightly.timer $(DESTDIR)$(UNITDIR)/
	install -d $(DESTDIR)$(PREFIX)/lib/sysusers.d
	install -m 0644 systemd/mmstorm.sysusers.conf \
	    $(DESTDIR)$(PREFIX)/lib/sysusers.d/mmstorm.conf
	install -d $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR)
	install -m 0644 completion/mmstorm $(DESTDIR)$(BASHCOMPDIR)/mmstorm
	install -m 0644 completion/_mmstorm $(DESTDIR)$(ZSHCOMPDIR)/_mmstorm

format:
	clang-format -i $(foreach d,$(LAYERS) cli daemon tests/unit,$(wildcard $(d)/*.[ch])) bench/*.c

clean:
	rm -rf build build-asan

# The version is debian/changelog's first line (a native package): the one
# place it is written.  `mmstorm --version` and the manual pages say it.
VERSION   := $(shell head -n 1 debian/changelog | cut -d ' ' -f 2 | tr -d '()')
# The pages' date is the release's, so a rebuild makes the same pages.
MAN_DATE  := $(shell date -u +%Y-%m-%d -d "$$(sed -n 's/^ -- .*>  //p;T;q' \
             debian/changelog)")
$(BUILD)/cli/main.o: CPPFLAGS += -DMMSTORM_VERSION='"$(VERSION)"'
$(BUILD)/cli/main.o: debian/changelog

# The manual pages: man/*.in filled in by mangen from the tables the
# programs use (man/mangen.c says how it checks the prose against them).
MAN_IN    := $(wildcard man/*.[0-9].in)
MAN_PAGES := $(MAN_IN:man/%.in=$(BUILD)/man/%)
MANGEN_OBJ := $(BUILD)/man/mangen.o $(filter-out $(BUILD)/cli/main.o,$(CLI_OBJ))

# Built with the programs, so the tests can run it on the BUILD they test.
all: $(BUILD)/mangen

$(BUILD)/mangen: $(MANGEN_OBJ) $(BUILD)/libmmstorm.a
	$(CC) $(LDFLAGS) -o $@ $(MANGEN_OBJ) $(BUILD)/libmmstorm.a $(LDLIBS)

$(BUILD)/man/%: man/%.in $(BUILD)/mangen debian/changelog
	@mkdir -p $(dir $@)
	$(BUILD)/mangen '$(VERSION)' '$(MAN_DATE)' < $< > $@.tmp && mv $@.tmp $@

man: $(MAN_PAGES)

install: install-man
install-man: man
	for page in $(MAN_PAGES); do \
		sec=$${page##*.}; \
		install -d $(DESTDIR)$(MANDIR)/man$$sec && \
		install -m 0644 $$page $(DESTDIR)$(MANDIR)/man$$sec/ || exit 1; \
	done

# The Debian package (debian/), built from a copy of the checkout so the
# tree stays clean; the .deb is left as $(BUILD)/mmstorm_VERSION_ARCH.deb.
DEB_ARCH  = $(shell dpkg --print-architecture)
DEB_DIR   = $(BUILD)/deb/mmstorm-$(VERSION)
deb:
	rm -rf $(BUILD)/deb && mkdir -p $(DEB_DIR)
	git ls-files -z --cached --others --exclude-standard | \
	    tar --null -T - -cf - | tar -xf - -C $(DEB_DIR)
	cd $(DEB_DIR) && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u BUILD \
	    -u SAN dpkg-buildpackage -b -us -uc
	mv $(BUILD)/deb/mmstorm_$(VERSION)_$(DEB_ARCH).deb $(BUILD)/

.PHONY: man install-man deb

.PHONY: all check asan check-asan deps test-deps demo test install format clean bench FORCE
.DELETE_ON_ERROR:

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# Fuzzers (fuzz/README.md): one libFuzzer target per fuzz/fuzz-NAME.c,
# built with clang and ASan/UBSan in a tree of their own.  `make fuzz`
# runs each for FUZZ_SECONDS; `make fuzz-short` for 30 s each, as CI does
# (tests/run-all.sh), and fails on a crash.  `make soak` kills the daemon,
# its supervisor or the worker at random, SOAK_ROUNDS times (not in CI).
FUZZ_CC      ?= clang-14
FUZZ_BUILD   ?= build-fuzz
FUZZ_SECONDS ?= 600
SOAK_ROUNDS  ?= 100
FUZZ_TARGETS := $(patsubst fuzz/fuzz-%.c,%,$(wildcard fuzz/fuzz-*.c))
FUZZ_DAEMON_OBJ := $(filter-out $(BUILD)/daemon/main.o,$(DAEMON_OBJ))

# The API and HTTP targets are the daemon without its main().
$(BUILD)/fuzz-api $(BUILD)/fuzz-http: $(BUILD)/fuzz-%: $(BUILD)/fuzz/fuzz-%.o $(FUZZ_DAEMON_OBJ) $(BUILD)/libmmstorm.a
	$(CC) $(LDFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_DAEMON_OBJ) $(BUILD)/libmmstorm.a $(LDLIBS)

$(BUILD)/fuzz-%: $(BUILD)/fuzz/fuzz-%.o $(BUILD)/libmmstorm.a
	$(CC) $(LDFLAGS) -fsanitize=fuzzer -o $@ $< $(BUILD)/libmmstorm.a $(LDLIBS)

fuzz-build:
	$(MAKE) BUILD=$(FUZZ_BUILD) CC=$(FUZZ_CC) \
	    CFLAGS='-O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -Wno-format-nonliteral' \
	    LDFLAGS='-fsanitize=address,undefined' $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/fuzz-%)

fuzz:
	BUILD=$(FUZZ_BUILD) FUZZ_CC=$(FUZZ_CC) sh fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

fuzz-short:
	BUILD=$(FUZZ_BUILD) FUZZ_CC=$(FUZZ_CC) sh fuzz/run.sh 30 $(FUZZ_TARGETS)

soak: $(PROGRAMS)
	BUILD=$(BUILD) SOAK_ROUNDS=$(SOAK_ROUNDS) sh tests/soak/soak.sh

.PRECIOUS: $(BUILD)/fuzz/%.o
.PHONY: fuzz fuzz-build fuzz-short soak

# issue 11 item 7: push and queries at fleet scale, on a PostgreSQL of
# their own (minutes; not part of make test; bench/README.md)
bench-fleet: $(BUILD)/bench-fleet-push $(BUILD)/mmstorm
	sh bench/fleet-push.sh
	sh bench/fleet-queries.sh
.PHONY: bench-fleet
