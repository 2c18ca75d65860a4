# pbxauth's commands. `make test` is what CI runs; see README.md.
#
# The repository holds several Go modules: the core (.), the Redis session
# store (store/redisstore), the OpenTelemetry hooks (otelauth), the
# comparisons with other libraries (comparison) and the demo (cmd/demo,
# which brings go-redis for -redis). Every target covers all of them.

GO            ?= go
STATICCHECK   := honnef.co/go/tools/cmd/staticcheck@v0.8.2
MODULES       := . store/redisstore otelauth comparison cmd/demo
# make fuzz runs each target for a number of executions, not a time: a
# time budget can end in the fuzzer's own deadline race.
FUZZTIME      ?= 200000x
BENCHTIME     ?= 1s
BENCHCOUNT    ?= 1

.PHONY: test lint bench fuzz demo redis-server

test: redis-server
	@for m in $(MODULES); do \
		echo "== $$m"; \
		(cd $$m && $(GO) vet ./... && $(GO) test -race ./...) || exit 1; \
	done

lint:
	@test -z "$$(gofmt -l .)" || { echo "gofmt would change:"; gofmt -l .; exit 1; }
	@for m in $(MODULES); do \
		echo "== $$m"; \
		(cd $$m && $(GO) mod tidy -diff && $(GO) vet ./... && $(GO) run $(STATICCHECK) ./...) || exit 1; \
	done

bench: redis-server
	@for m in $(MODULES); do \
		(cd $$m && $(GO) test -run='^$$' -bench=. -benchmem -benchtime=$(BENCHTIME) -count=$(BENCHCOUNT) ./...) || exit 1; \
	done

# Each fuzz target runs for FUZZTIME (go test -fuzz takes one target at a time).
fuzz:
	$(GO) test -run='^$$' -fuzz='^FuzzDecodeResponse$$' -fuzztime=$(FUZZTIME) ./providers/onsip/
	$(GO) test -run='^$$' -fuzz='^FuzzRefusal$$' -fuzztime=$(FUZZTIME) ./providers/onsip/
	$(GO) test -run='^$$' -fuzz='^FuzzSessionForm$$' -fuzztime=$(FUZZTIME) ./providers/onsip/
	$(GO) test -run='^$$' -fuzz='^FuzzDecodeResponse$$' -fuzztime=$(FUZZTIME) ./providers/ipcortex/
	$(GO) test -run='^$$' -fuzz='^FuzzRefusal$$' -fuzztime=$(FUZZTIME) ./providers/ipcortex/
	$(GO) test -run='^$$' -fuzz='^FuzzKeySplice$$' -fuzztime=$(FUZZTIME) ./providers/ipcortex/
	$(GO) test -run='^$$' -fuzz='^FuzzRedact$$' -fuzztime=$(FUZZTIME) ./auth/provider/
	$(GO) test -run='^$$' -fuzz='^FuzzRetryAfter$$' -fuzztime=$(FUZZTIME) ./internal/transport/
	cd store/redisstore && $(GO) test -run='^$$' -fuzz='^FuzzOpen$$' -fuzztime=$(FUZZTIME) .

# make demo DEMOFLAGS=-metrics (or -redis localhost:6379, -v, -json, -h)
demo:
	cd cmd/demo && $(GO) run . $(DEMOFLAGS)

# The Redis store's tests start a real redis-server (Debian's package).
# Install it where this user can; otherwise stop and say how.
redis-server:
	@command -v redis-server >/dev/null 2>&1 || \
	{ [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  echo "installing redis-server (Debian package) for the store's tests" && \
	  { apt-get install -y redis-server >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y redis-server >/dev/null; }; }; } || \
	{ echo "make: the Redis store's tests need redis-server: install it (apt-get install -y redis-server) and run make again"; exit 1; }
