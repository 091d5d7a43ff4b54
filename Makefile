# osl — see README.md.  `make` builds build/osl, `make test` runs every test.
PREFIX  ?= /usr/local
DESTDIR ?=
BINDIR  ?= $(PREFIX)/bin
LIBDIR  ?= $(PREFIX)/lib
INCDIR  ?= $(PREFIX)/include
MANDIR  ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share

VERSION := 0.1.0
SOVER   := 0

CC      ?= cc
B       ?= build
OPT     ?= -O2
CFLAGS  ?= -g $(OPT)
WFLAGS  := -std=gnu11 -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-format-nonliteral -Wno-format-truncation -Wno-missing-field-initializers \
           -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIC
ifneq ($(findstring clang,$(CC)),)
WFLAGS  += -Wno-unknown-warning-option
endif
CPPFLAGS += -D_GNU_SOURCE -Ilib -Isrc -I$(B)/gen -DOSL_VERSION='"$(VERSION)"' -Ithird_party
LDLIBS  := -lyaml -lseccomp -lhogweed -lnettle
# The program is linked statically, as static-pie (still randomised): no
# dynamic loader at start-up, which took a quarter of a one-shot `osl fs stat`
# and of `osl proc run -- true` (make bench), and nothing for LD_PRELOAD or
# LD_LIBRARY_PATH to inject.  cJSON, which Debian ships only shared, is a copy
# (third_party/cjson).  NSS modules cannot be loaded into a static program:
# src/main.c keeps names to the files and hosts to files and DNS (ld still
# warns about getpwnam and getaddrinfo, which then load nothing).
# Valgrind cannot follow malloc in a static program: osl-dynamic, the same
# objects linked dynamically, is what test/bats/61-valgrind runs.
# STATIC=0 links osl dynamically (the ASan build does).
STATIC ?= 1
ifeq ($(STATIC),1)
OSL_LDFLAGS := -static-pie
OSL_DYNAMIC := $(B)/osl-dynamic
APP_CPPFLAGS := -DOSL_STATIC
else
OSL_LDFLAGS :=
OSL_DYNAMIC :=
APP_CPPFLAGS :=
endif
ALL_CFLAGS = $(WFLAGS) $(CFLAGS)

GROUPS  := fs proc net supervise policy log

LIB_SRC := $(sort $(wildcard lib/*.c lib/*/*.c))
APP_SRC := $(sort $(wildcard src/*.c cmd/*.c cmd/*/*.c))
LIB_OBJ := $(LIB_SRC:%.c=$(B)/%.o) $(B)/gen/builtin_policies.o $(B)/third_party/cjson/cJSON.o
APP_OBJ := $(APP_SRC:%.c=$(B)/%.o)
UNIT_SRC := $(sort $(wildcard test/unit/t-*.c))
UNITS   := $(UNIT_SRC:test/unit/%.c=$(B)/test/unit/%)
MAN_SRC := $(wildcard man/*.scd)
MANS    := $(MAN_SRC:man/%.scd=$(B)/man/%)
POLICIES := $(sort $(wildcard policies/*.yaml))
# escape probes (test/probes): one tiny program each; _helper is not a probe
PROBE_SRC := $(sort $(wildcard test/probes/*.c))
PROBES  := $(PROBE_SRC:test/probes/%.c=$(B)/probes/%)

.PHONY: test-real all deps test probes check-sanitize units bats man completions install clean bench fuzz fuzz-long demo check-deps mutants
.DEFAULT_GOAL := all

all: check-deps $(B)/osl $(OSL_DYNAMIC) $(B)/libosl.a $(B)/libosl.so $(UNITS) $(PROBES)

# A fresh machine needs nothing but `make`: missing packages are installed
# (as root) or the exact command to install them is printed.
check-deps:
	@src/build/deps.sh --check-or-install

deps:
	@src/build/deps.sh --install

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

# upstream's code as it is: its own warnings are not ours to fix
$(B)/third_party/%.o: third_party/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -fPIC -MMD -MP -c -o $@ $<

# The shipped policies, as text and as trees parsed here (policy-gen.c): YAML
# parsing was two thirds of loading builtin:default at every start.
$(B)/gen/policy-gen: src/build/policy-gen.c $(B)/lib/error.o $(B)/lib/util/strbuf.o
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -o $@ $< $(B)/lib/error.o $(B)/lib/util/strbuf.o $(LDFLAGS) -lyaml

$(B)/gen/builtin_policies.c: $(B)/gen/policy-gen $(POLICIES)
	$< $(POLICIES) > $@.tmp && mv $@.tmp $@

$(B)/gen/builtin_policies.o: $(B)/gen/builtin_policies.c
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

# The seccomp filters of the shipped profiles, compiled once here: libseccomp
# took most of a millisecond of every `osl proc run` (make bench).
$(B)/gen/seccomp-gen: src/build/seccomp-gen.c lib/sandbox/seccomp.c $(B)/lib/error.o $(B)/lib/util/strbuf.o
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ $< $(B)/lib/error.o $(B)/lib/util/strbuf.o $(LDFLAGS) -lseccomp

$(B)/gen/seccomp_bpf.h: $(B)/gen/seccomp-gen
	$< > $@.tmp && mv $@.tmp $@

$(B)/lib/sandbox/seccomp.o: $(B)/gen/seccomp_bpf.h

# libosl's boundary.  The public API is PUBLIC_HDRS and the osl_ functions
# they declare (their names, one a line, in libosl.syms); `make install`
# installs only these headers.  The library is one relocatable object (ld -r)
# in which every other symbol — sb_*, the YAML reader, index_*, vendored
# cJSON — is made local (objcopy --keep-global-symbols), so a program linked
# with libosl can neither call nor collide with them; the shared library
# exports the same list (a version script).  osl itself, the unit tests, the
# benches and the fuzzers use the internals: they link libosl-int.a, every
# object as it is.
PUBLIC_HDRS := lib/action.h lib/error.h lib/fs/fs.h lib/log/config.h lib/policy/policy.h
LIBOSL_INT := $(B)/libosl-int.a

$(LIBOSL_INT): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(B)/libosl.syms: $(PUBLIC_HDRS)
	sed -nE '/^typedef/!s/^[a-z][^(*]*[ *](osl_[a-z0-9_]+)\(.*/\1/p' $^ | sort -u > $@.tmp && mv $@.tmp $@

$(B)/libosl.a: $(LIB_OBJ) $(B)/libosl.syms
	@rm -f $@ $(B)/libosl.o
	$(LD) -r -o $(B)/libosl.o $(LIB_OBJ)
	objcopy --keep-global-symbols=$(B)/libosl.syms $(B)/libosl.o
	ar rcs $@ $(B)/libosl.o

$(B)/libosl.map: $(B)/libosl.syms
	{ echo '{ global:'; sed 's/$$/;/' $<; echo 'local: *; };'; } > $@

$(B)/libosl.so: $(LIB_OBJ) $(B)/libosl.map
	$(CC) -shared -Wl,-soname,libosl.so.$(SOVER) -Wl,--version-script=$(B)/libosl.map \
	  -o $@ $(LIB_OBJ) $(LDFLAGS) $(LDLIBS)

# The commit osl --version names: written only when it changes, so that a
# commit rebuilds one object.
$(B)/gen/commit.h: FORCE
	@mkdir -p $(@D); c=$$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown); \
	if [ "$$c" != unknown ] && ! git diff --quiet HEAD 2>/dev/null; then c="$$c-dirty"; fi; \
	printf '#define OSL_COMMIT "%s"\n' "$$c" > $@.tmp; \
	if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi
FORCE:
$(B)/src/version.o: $(B)/gen/commit.h

# (a build folder is static or not: make clean before switching STATIC)
$(B)/src/main.o: CPPFLAGS += $(APP_CPPFLAGS)

$(B)/osl: $(APP_OBJ) $(LIBOSL_INT)
	$(CC) $(ALL_CFLAGS) $(OSL_LDFLAGS) -o $@ $(APP_OBJ) $(LIBOSL_INT) $(LDFLAGS) $(LDLIBS) $(if $(OSL_LDFLAGS),-lgmp)
	@for g in $(GROUPS); do ln -sf osl $(B)/osl-$$g; done

$(B)/osl-dynamic: $(APP_OBJ) $(LIBOSL_INT)
	$(CC) $(ALL_CFLAGS) -o $@ $(APP_OBJ) $(LIBOSL_INT) $(LDFLAGS) $(LDLIBS)

$(B)/test/unit/%: test/unit/%.c test/unit/tap.h $(LIBOSL_INT)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itest/unit $(ALL_CFLAGS) -o $@ $< $(LIBOSL_INT) $(LDFLAGS) $(LDLIBS)

units: $(UNITS)

probes: $(PROBES)
$(B)/probes/%: test/probes/%.c test/probes/probe.h
	@mkdir -p $(dir $@)
	$(CC) -D_GNU_SOURCE $(WFLAGS) $(CFLAGS) -o $@ $<

BENCH_SRC := $(sort $(wildcard test/bench/bench-*.c))
BENCHES := $(BENCH_SRC:test/bench/%.c=$(B)/bench/%)
$(B)/bench/%: test/bench/%.c $(LIBOSL_INT)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ $< $(LIBOSL_INT) $(LDFLAGS) $(LDLIBS)

# Everything a developer or CI needs; the last line is prove's summary.
# Then every record the bats files wrote is checked against ECS's own
# definitions (test/ecs/check; their folders are kept for it, then removed,
# unless a record is not ECS).
test: all man completions-check
	@test/check-refs
	@test/check-includes
	@test/check-funcs
	@test/ecs/defs
	@k=$$(mktemp -d /tmp/osl-ecs.XXXXXX) && chmod 755 $$k && \
	  { OSL_ECS_KEEP=$$k VALGRIND_UNITS=1 test/run-tests $(B) || { rm -rf $$k; exit 1; }; } && \
	  { test/ecs/check $$k || { echo "the logs are kept in $$k"; exit 1; }; } && rm -rf $$k
	@$(MAKE) --no-print-directory check-sanitize

# Real projects (Debian source packages, an npm package, osl itself) through
# learn, enforce and diff, builtin:ci and an injected payload: see
# test/real/run.sh.  Needs root and the package registries; ~10 minutes.
test-real: all
	@prove -v --exec sh test/real/run.sh :: $(B)/osl

# The unit tests and the command-line tests again with ASan+UBSan (clang).
check-sanitize:
	@$(MAKE) --no-print-directory B=build/asan CC=clang OPT=-O1 STATIC=0 \
	  CFLAGS='-g -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all' \
	  LDFLAGS='-fsanitize=address,undefined' build/asan/osl units
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  FUZZ_SMOKE=1 test/run-tests build/asan

man: $(MANS)
$(B)/man/%: man/%.scd
	@mkdir -p $(dir $@)
	scdoc < $< > $@

completions: $(B)/osl
	@mkdir -p completions
	$(B)/osl completion bash > completions/osl.bash
	$(B)/osl completion zsh > completions/_osl
	$(B)/osl completion fish > completions/osl.fish

completions-check: $(B)/osl
	@for s in bash:osl.bash zsh:_osl fish:osl.fish; do \
	  $(B)/osl completion $${s%%:*} | cmp -s - completions/$${s#*:} || \
	  { echo "completions/$${s#*:} is stale: run 'make completions'"; exit 1; }; done

bench: all $(BENCHES)
	@test/bench/run $(B)

# One-line mutants of the security code (test/mutants/list), each built in a
# scratch copy and run against the tests that cover it; fails on a survivor.
# Slow (minutes): not part of `make test`.
mutants:
	@test/mutants/run

fuzz:
	@test/fuzz/build $(B)/fuzz

# A long run of each harness, one at a time, niced (FUZZ_SECONDS each, 600 by
# default); a crash leaves its input in build/fuzz/NAME-crash-*.
fuzz-long:
	@FUZZ_SECONDS=$${FUZZ_SECONDS:-600} nice -n 10 test/fuzz/smoke

demo: all
	@test/demo.sh $(B)

install: all man
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCDIR)/osl \
	  $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(MANDIR)/man8 \
	  $(DESTDIR)$(DATADIR)/osl/policies $(DESTDIR)$(DATADIR)/bash-completion/completions \
	  $(DESTDIR)$(DATADIR)/zsh/vendor-completions $(DESTDIR)$(DATADIR)/fish/vendor_completions.d
	install -m 0755 $(B)/osl $(DESTDIR)$(BINDIR)/osl
	for g in $(GROUPS); do ln -sf osl $(DESTDIR)$(BINDIR)/osl-$$g; done
	install -m 0644 $(B)/libosl.a $(DESTDIR)$(LIBDIR)/libosl.a
	install -m 0755 $(B)/libosl.so $(DESTDIR)$(LIBDIR)/libosl.so.$(VERSION)
	ln -sf libosl.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libosl.so.$(SOVER)
	ln -sf libosl.so.$(SOVER) $(DESTDIR)$(LIBDIR)/libosl.so
	for h in $(PUBLIC_HDRS:lib/%=%); do install -D -m 0644 lib/$$h $(DESTDIR)$(INCDIR)/osl/$$h; done
	sed -e 's|@PREFIX@|$(PREFIX)|; s|@LIBDIR@|$(LIBDIR)|; s|@INCDIR@|$(INCDIR)|; s|@VERSION@|$(VERSION)|' \
	  src/build/libosl.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/libosl.pc
	for m in $(MANS); do s=$${m##*.}; install -m 0644 $$m $(DESTDIR)$(MANDIR)/man$$s/; done
	install -m 0644 $(POLICIES) $(DESTDIR)$(DATADIR)/osl/policies/
	install -m 0644 completions/osl.bash $(DESTDIR)$(DATADIR)/bash-completion/completions/osl
	install -m 0644 completions/_osl $(DESTDIR)$(DATADIR)/zsh/vendor-completions/_osl
	install -m 0644 completions/osl.fish $(DESTDIR)$(DATADIR)/fish/vendor_completions.d/osl.fish

clean:
	rm -rf build

# Only this build's own folders: build/asan, build/fuzz and build/real hold
# other trees (test-real builds a copy of osl whose deps name build/cmd/...
# too), whose stale paths made every make here rebuild, and make install
# relink osl under the tests running beside bats 01.
-include $(shell find $(addprefix $(B)/,lib cmd src gen third_party test bench) -name '*.d' 2>/dev/null)
