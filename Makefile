# tuncrypt — build, test, demo, bench.  `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := build

# JDK 25: JAVA_HOME if it is 25 or newer, else Temurin 25 at its Debian path, else a clear error.
JDK := $(shell tools/find-jdk25 2>/dev/null)
ifeq ($(JDK),)
$(error JDK 25 not found: set JAVA_HOME to a JDK 25+ or install Temurin 25 at /usr/lib/jvm/temurin-25-jdk-amd64 (apt package temurin-25-jdk))
endif
export JAVA_HOME := $(JDK)
export PATH := $(JDK)/bin:$(PATH)
MVN := mvn -B -q -e
MVN_OPTS ?=

.PHONY: help build test demo bench clean deps unit example-echo example-http example-sid install deb image fuzz soak

help:
	@echo "make build   compile every module and produce bin/tuncryptd and bin/tuncrypt"
	@echo "make test    set up what tests need (root: Debian packages) and run every test"
	@echo "make demo    run the demo inside network namespaces it creates and removes (root)"
	@echo "make bench   run the benchmarks; results go to docs/benchmarks.md by hand"
	@echo "make fuzz    fuzz every parser for FUZZ_SECONDS each (default 60); the corpus becomes regression inputs"
	@echo "make soak    the seeded fault matrix for SOAK_RUNS fresh seeds (default 20); prints the replay of a failure"
	@echo "make clean   remove build output"
	@echo "make install [PREFIX=/usr/local] [DESTDIR=] [SYSCONFDIR=/etc]   launchers, jars, Java runtime, man pages, completion, unit, config"
	@echo "make deb     a Debian package in target/ (its own Java runtime; dpkg -i it)"
	@echo "make image   the OCI image tuncrypt/tuncryptd:VERSION, loaded into \$$DOCKER_HOST's engine (tools/image)"
	@echo "make example-echo   password-authenticated tcpcrypt echo (no root; ARGS=\"server-pw client-pw\")"
	@echo "make example-http   HTTP over the stack, plain and with tcpcrypt, in a namespace (root)"
	@echo "make example-sid    a plain Java socket asks tuncryptd for its session ID (client library; root)"

deps:
	@tools/install-deps

build:
	$(MVN) $(MVN_OPTS) -DskipTests install
	@echo "built: bin/tuncryptd bin/tuncrypt (JDK $(JDK))"

test: deps
	$(MVN) $(MVN_OPTS) install

unit:
	$(MVN) $(MVN_OPTS) install -Dtuncrypt.unitOnly=true

demo: deps build
	@tools/demo

bench: deps build
	@tools/bench

example-echo: build
	@tools/run-example AuthenticatedEcho $(ARGS)

example-http: build
	@tools/example-http

example-sid: build
	@tools/example-sid

# Packaging (tools/package, tools/image): see docs/operations.md, "Installing".
PREFIX ?= /usr/local
SYSCONFDIR ?= /etc
UNITDIR ?= $(PREFIX)/lib/systemd/system
install: build
	@PREFIX=$(PREFIX) SYSCONFDIR=$(SYSCONFDIR) UNITDIR=$(UNITDIR) tools/package install $(DESTDIR)

deb: build
	@tools/package deb target

image: build
	@tools/image build

fuzz: build
	@MVN="$(MVN)" tools/fuzz

soak: build
	@MVN="$(MVN)" tools/soak

clean:
	$(MVN) clean
	rm -rf target
