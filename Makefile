# Pawfile: `make run` serves the app on http://localhost:8080; `make test` runs every test.
GO        ?= go
ADDR      ?= 127.0.0.1:8080
DATA      ?= ./data
FUZZTIME  ?= 300000x
FUZZMIN   ?= 1000x
BENCHTIME ?= 1s
BENCHCOUNT ?= 6
WASM      := GOOS=js GOARCH=wasm
# `go tool` builds a tool for the current GOOS: run the browser runner natively.
BROWSER   := env GOOS= GOARCH= $(GO) tool wasmbrowsertest
VERSION   ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -X main.version=$(VERSION)

.PHONY: all build run test lint e2e-deps test-native test-wasm fuzz bench clean FORCE

all: build

build: web/app.wasm bin/pawfile
	./bin/pawfile compress-app -web web

web/app.wasm: FORCE
	$(WASM) $(GO) build -trimpath -ldflags='-s -w' -o $@ ./app

bin/pawfile: FORCE
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $@ ./server

run: build
	./bin/pawfile -addr $(ADDR) -data $(DATA)

test: lint test-native fuzz test-wasm

lint:
	@unformatted=$$(gofmt -l app server shared); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(WASM) $(GO) vet ./app/... ./shared/...
	$(GO) tool staticcheck ./...
	$(GO) build -o bin/staticcheck honnef.co/go/tools/cmd/staticcheck
	$(WASM) ./bin/staticcheck ./app/... ./shared/...

# The end-to-end journeys run after the other packages, on their own: they
# drive several Chromium instances, and sharing the machine's CPUs with the
# race-detector runs of the other packages only makes their timing noisy.
# The suite takes longer than go test's default 10 minutes on a loaded
# 2-core machine, hence the explicit timeouts.
test-native: e2e-deps
	$(GO) test -race -count=1 -timeout 20m $$($(GO) list ./... | grep -v /app/e2e)
	$(GO) test -count=1 -timeout 45m ./app/e2e

# axe-core, which the end-to-end tests inject to check accessibility,
# pinned by app/e2e/package-lock.json.
e2e-deps: app/e2e/node_modules/axe-core/axe.min.js

app/e2e/node_modules/axe-core/axe.min.js: app/e2e/package-lock.json
	npm ci --prefix app/e2e --no-audit --no-fund
	touch $@

# Every fuzz target, briefly: enough to catch a decoder that panics on a
# mutated seed. Longer runs: make fuzz FUZZTIME=5m. The default is a count,
# not a duration: with a duration, Go 1.26's fuzzing coordinator can fail a
# target with "context deadline exceeded" as the time runs out (go.dev/issue/75804).
# Each input the fuzzer minimizes (one that widens the coverage, or fails)
# gets at most FUZZMIN runs, not Go's default of 60 s: FuzzCareValues
# (regexps, dates) took 52–157 s for its 300,000 inputs with the default,
# 82–88 s with 10000x and 27–35 s with 1000x; longer runs can set more.
fuzz:
	@set -e; for f in $$(grep -rl --include='*_test.go' '^func Fuzz' shared server app 2>/dev/null); do \
		pkg=./$$(dirname $$f); \
		for t in $$(grep -o '^func Fuzz[A-Za-z0-9_]*' $$f | cut -d' ' -f2); do \
			echo "fuzz $$pkg $$t"; \
			$(GO) test -run='^$$' -fuzz="^$$t\$$" -fuzztime=$(FUZZTIME) -fuzzminimizetime=$(FUZZMIN) $$pkg; \
		done; \
	done

# The shared and app packages also run in real headless Chromium under wasm.
test-wasm:
	$(WASM) $(GO) test -count=1 -timeout 20m -exec "$(BROWSER)" ./shared/... ./app/...

bench: bin/pawfile e2e-deps
	$(GO) test -run='^$$' -bench=. -benchtime=$(BENCHTIME) -count=$(BENCHCOUNT) ./shared/... | tee bench.txt
	$(WASM) $(GO) test -run='^$$' -bench=Derive -benchtime=3x -count=3 -exec "$(BROWSER)" ./shared/seal | tee -a bench.txt
	$(WASM) $(GO) test -run='^$$' -bench=UnlockFiveYearShop -benchtime=3x -count=3 -exec "$(BROWSER)" ./app/session | tee -a bench.txt
	$(WASM) $(GO) test -run='^$$' -bench=ReceiveFiveYearShop -benchtime=1x -count=3 -timeout 30m -exec "$(BROWSER)" ./app/session | tee -a bench.txt
	$(WASM) $(GO) test -run='^$$' -bench=ClientListKeys -benchtime=10x -count=3 -exec "$(BROWSER)" ./app/ui | tee -a bench.txt
	$(WASM) $(GO) test -run='^$$' -bench=Shrink12MP -benchtime=3x -count=3 -exec "$(BROWSER)" ./app/photo | tee -a bench.txt
	$(GO) run ./server/loadgen -bin bin/pawfile | tee -a bench.txt
	$(GO) test -run='^$$' -bench=Tablet -benchtime=1x -count=1 -timeout 40m ./app/e2e | tee -a bench.txt
	$(GO) tool benchstat bench.txt

clean:
	rm -rf bin web/app.wasm web/app.wasm.br bench.txt app/e2e/node_modules
