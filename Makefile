# mesosbox — `make run` starts a one-node cluster, `make test` runs every test.
GO        ?= go
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo 0.0.0-dev)
GITSHA    ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
BUILDDATE ?= $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
PKG       := github.com/mesosbox/mesosbox/appliance/buildinfo
LDFLAGS   := -s -w -X $(PKG).Version=$(VERSION) -X $(PKG).GitSHA=$(GITSHA) -X $(PKG).BuildDate=$(BUILDDATE)
RUNDIR    ?= .run
BIND      ?= 127.0.0.1

.PHONY: build run test test-short bench bench-micro lint clean fuzz

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o bin/mesosbox .

# One node with its data under .run/ (git-ignored), on 127.0.0.1.
run: build
	@mkdir -p $(RUNDIR)/data
	@echo "mesosbox: Mesos http://$(BIND):5050  Marathon http://$(BIND):8080  Chronos http://$(BIND):4400  (agent :5051, data $(RUNDIR)/data)"
	exec ./bin/mesosbox serve --data-dir $(RUNDIR)/data --bind $(BIND) --node-name local

# Every test, with the race detector; needs root and containerd (see .ci/run).
test: lint
	$(GO) test -race -count=1 -timeout 20m ./...

# The comparison table of issue 9 (bench/report_test.go): every figure beside
# its baseline measured in the same run, with n, median, p99, ratio and
# target; the logs of the nodes it starts go to a file it names.
bench: build
	MESOSBOX_BENCH_BIN=$(CURDIR)/bin/mesosbox $(GO) test -run '^$$' -bench '^BenchmarkReport$$' -benchtime 1x -timeout 15m ./bench

# The Go micro-benchmarks that live next to their code, and startup.sh.
bench-micro: build
	$(GO) test -run '^$$' -bench . -benchmem -count=1 ./appliance/master/drf ./store ./runtime/executor
	$(GO) test -run '^$$' -bench . -benchtime 5x -count=1 ./appliance
	bench/startup.sh bin/mesosbox 10

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null; git ls-files --others --exclude-standard '*.go' 2>/dev/null)); \
	  if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

clean:
	rm -rf bin dist $(RUNDIR)

# Every fuzz target for FUZZTIME each, one after another (go test -fuzz
# takes one target per run). Crashers land in the package's testdata/fuzz,
# which `make test` then replays as regression tests.
FUZZTIME ?= 30s
FUZZ_TARGETS := \
	./services/app:FuzzDecode ./services/app:FuzzSelector ./services/app:FuzzParseTaskID \
	./services/marathon:FuzzGroupUpdate \
	./jobs/job:FuzzDecode ./jobs/chronos:FuzzPostJob \
	./jobs/schedule:FuzzParse ./jobs/schedule:FuzzParseDuration \
	./appliance/master:FuzzSchedulerCall ./appliance/master:FuzzOperatorCall \
	./appliance/master:FuzzResources ./appliance/master/agentapi:FuzzRecordIO \
	./appliance/master/resources:FuzzParse ./appliance/master/mesosjson:FuzzStripNullMembers \
	./runtime/agent:FuzzFilesPath \
	./appliance/auth:FuzzParse

fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
	  pkg=$${t%%:*}; fn=$${t##*:}; echo "== $$pkg $$fn ($(FUZZTIME))"; \
	  $(GO) test -run '^$$' -fuzz "^$$fn\$$" -fuzztime $(FUZZTIME) $$pkg; \
	done

# Packages (rpm/, systemd/): nfpm builds the RPM and the deb from
# rpm/nfpm.yaml around a static binary built into $(DIST); `make repo` makes a
# yum repository of $(DIST)'s RPMs in $(DIST)/repo (createrepo_c).
NFPM        ?= $(GO) run github.com/goreleaser/nfpm/v2/cmd/nfpm@v2.45.2
DIST        ?= dist
PKGVERSION  ?= $(shell rpm/version.sh)
PKGRELEASE  ?= 1
PKGARCH     ?= $(shell $(GO) env GOARCH)
RPMARCH     := $(if $(filter amd64,$(PKGARCH)),x86_64,$(if $(filter arm64,$(PKGARCH)),aarch64,$(PKGARCH)))
SYSCONFIG   ?= rpm/mesosbox.sysconfig
PKGENV       = MESOSBOX_BIN=$(DIST)/mesosbox MESOSBOX_FLAGS_TXT=$(DIST)/serve-flags.txt \
               MESOSBOX_SYSCONFIG=$(SYSCONFIG) PKGVERSION=$(PKGVERSION) PKGRELEASE=$(PKGRELEASE) GOARCH=$(PKGARCH)

.PHONY: rpm deb repo pkgbin

pkgbin:
	@mkdir -p $(DIST)
	CGO_ENABLED=0 GOARCH=$(PKGARCH) $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(DIST)/mesosbox .
	$(DIST)/mesosbox serve --help > $(DIST)/serve-flags.txt

rpm: pkgbin
	$(PKGENV) $(NFPM) package --config rpm/nfpm.yaml --packager rpm --target $(DIST)/mesosbox-$(PKGVERSION).$(RPMARCH).rpm

deb: pkgbin
	$(PKGENV) $(NFPM) package --config rpm/nfpm.yaml --packager deb --target $(DIST)/mesosbox_$(PKGVERSION)-$(PKGRELEASE)_$(PKGARCH).deb

repo: rpm
	@mkdir -p $(DIST)/repo/Packages
	cp $(DIST)/mesosbox-*.rpm $(DIST)/repo/Packages/
	createrepo_c --quiet --update $(DIST)/repo
	@echo "yum repository: $(abspath $(DIST)/repo) (baseurl=file://$(abspath $(DIST)/repo), gpgcheck=0)"

# Screenshots of the three web UIs for the README (embedui/screenshots/*.png),
# taken by the browser tests against a real node in headless Chromium
# (apt-get install -y chromium).
.PHONY: screenshots
screenshots:
	@mkdir -p embedui/screenshots
	MESOSBOX_SCREENSHOTS=$(CURDIR)/embedui/screenshots $(GO) test -count=1 -run 'UI$$' ./embedui
