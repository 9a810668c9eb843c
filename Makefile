# fragwatch - plain non-recursive Makefile.
#   make                 build ./fragwatch (optimised, warnings on)
#   make check           unit + integration tests, -Werror, ASan/UBSan
#   make demo            sample region end to end on the embedded database
#   make bench           throughput and peak memory against psql \copy
#   make install         PREFIX=/usr/local DESTDIR=
#   make SANITIZE=address,undefined WERROR=1

PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
SYSCONFDIR ?= /etc
UNITDIR    ?= $(PREFIX)/lib/systemd/system
MANDIR     ?= $(PREFIX)/share/man
STATEDIR   ?= /var/lib/fragwatch
PG_BINDIR  ?= $(shell pg_config --bindir 2>/dev/null || echo /usr/lib/postgresql/15/bin)
BUILD      ?= build

CC       ?= cc
PKGS      = libcurl libconfig libsystemd libpq libcrypto jansson
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN     = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wformat=2 -Wvla -Wpointer-arith -Wcast-qual -Wno-unused-parameter
CFLAGS  ?= -O2 -g
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) $(PKG_CFLAGS) \
             -I. -DFRAGWATCH_STATEDIR='"$(STATEDIR)"' \
             -DFRAGWATCH_PG_BINDIR='"$(PG_BINDIR)"' \
             -DFRAGWATCH_VERSION='"$(VERSION)"'
LIBS     = $(PKG_LIBS) -lcsv -lm
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo 0.1)

ifneq ($(WERROR),)
ALL_CFLAGS += -Werror
endif
ifneq ($(SANITIZE),)
ALL_CFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS    += -fsanitize=$(SANITIZE)
endif

LIB_SRCS  = $(wildcard daemon/*.c extractors/*.c transforms/*.c)
LIB_SRCS := $(filter-out daemon/main.c,$(LIB_SRCS))
LIB_OBJS  = $(LIB_SRCS:%.c=$(BUILD)/%.o) $(BUILD)/sql/migrations.o
SQL_FILES = $(sort $(wildcard sql/[0-9][0-9][0-9]_*.sql))
UNIT_SRCS = $(wildcard tests/unit/test_*.c)
UNIT_BINS = $(UNIT_SRCS:%.c=$(BUILD)/%)
TOOL_SRCS = $(wildcard tests/tools/*.c)
TOOL_BINS = $(TOOL_SRCS:%.c=$(BUILD)/%)

.PHONY: all check unit integration demo bench install clean deps
all: fragwatch

fragwatch: $(BUILD)/fragwatch
	cp $< $@

$(BUILD)/fragwatch: $(BUILD)/daemon/main.o $(BUILD)/libfragwatch.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/libfragwatch.a: $(LIB_OBJS)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/%.o: %.c $(wildcard */*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# Migrations are compiled into the binary so that it can never run against
# a different set of SQL files than it was built with.
$(BUILD)/sql/migrations.c: sql/embed.sh $(SQL_FILES)
	@mkdir -p $(dir $@)
	sh sql/embed.sh $(SQL_FILES) > $@

$(BUILD)/sql/migrations.o: $(BUILD)/sql/migrations.c
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/unit/%: tests/unit/%.c $(BUILD)/libfragwatch.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libfragwatch.a $(LIBS) -lcmocka

$(BUILD)/tests/tools/%: tests/tools/%.c $(BUILD)/libfragwatch.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libfragwatch.a $(LIBS)

# The test build: warnings are errors, ASan and UBSan on.  A second, plain
# build is used for the valgrind pass (valgrind and ASan do not mix).
CHECK_BUILD = BUILD=build/check WERROR=1 SANITIZE=address,undefined CFLAGS="-O1 -g"
check: deps
	$(MAKE) $(CHECK_BUILD) build/check/fragwatch check-bins
	$(MAKE) BUILD=build/plain WERROR=1 build/plain/fragwatch
	sh tests/run build/check build/plain

check-bins: $(UNIT_BINS) $(TOOL_BINS)

demo: deps fragwatch
	sh tests/demo.sh

bench: deps fragwatch $(TOOL_BINS)
	bash tests/bench.sh

# make fuzz [FUZZ_SECONDS=60]: libFuzzer (clang) on decode -> CSV -> mapping,
# seeded from tests/fuzz/corpus; not part of all or check. What it learns and
# any crash input stay in $(BUILD)/fuzz, so the tree stays clean.
FUZZ_SECONDS ?= 60
FUZZ_SRCS = tests/fuzz/fuzz_extract.c $(addprefix extractors/,decode.c \
            csvsrc.c mapping.c expr.c codemap.c kind.c value.c)
FUZZ_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) -g -O1 \
              -fsanitize=fuzzer,address,undefined -I.

.PHONY: fuzz fuzz-deps
fuzz: $(BUILD)/fuzz/fuzz_extract
	@mkdir -p $(BUILD)/fuzz/corpus $(BUILD)/fuzz/artifacts
	$< -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -timeout=10 \
	    -print_final_stats=1 -artifact_prefix=$(BUILD)/fuzz/artifacts/ \
	    $(BUILD)/fuzz/corpus tests/fuzz/corpus

$(BUILD)/fuzz/fuzz_extract: $(FUZZ_SRCS) $(wildcard extractors/*.h) | fuzz-deps
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -o $@ $(FUZZ_SRCS) -lcsv -lm

fuzz-deps:
	@sh tests/fuzz/deps

# Installs the Debian packages the build, the tests and the demo need.
deps:
	@sh .ci/deps

# Installs what was built in $(BUILD) (make install BUILD=build/plain reuses
# the test build). The example config never overwrites a real one.
install: $(BUILD)/fragwatch
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SYSCONFDIR)/fragwatch \
	    $(DESTDIR)$(UNITDIR) $(DESTDIR)$(PREFIX)/lib/sysusers.d \
	    $(DESTDIR)$(PREFIX)/lib/tmpfiles.d $(DESTDIR)$(MANDIR)/man5 \
	    $(DESTDIR)$(MANDIR)/man8
	install -m 0755 $(BUILD)/fragwatch $(DESTDIR)$(BINDIR)/fragwatch
	install -m 0644 etc/fragwatch.conf $(DESTDIR)$(SYSCONFDIR)/fragwatch/fragwatch.conf.example
	sed 's|@BINDIR@|$(BINDIR)|g; s|@SYSCONFDIR@|$(SYSCONFDIR)|g' etc/fragwatch.service \
	    > $(DESTDIR)$(UNITDIR)/fragwatch.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/fragwatch.service
	install -m 0644 etc/fragwatch.sysusers $(DESTDIR)$(PREFIX)/lib/sysusers.d/fragwatch.conf
	install -m 0644 etc/fragwatch.tmpfiles $(DESTDIR)$(PREFIX)/lib/tmpfiles.d/fragwatch.conf
	install -m 0644 man/fragwatch.8 $(DESTDIR)$(MANDIR)/man8/fragwatch.8
	install -m 0644 man/fragwatch.conf.5 $(DESTDIR)$(MANDIR)/man5/fragwatch.conf.5

clean:
	rm -rf build fragwatch
