# pbxauth's commands. `make test` is what CI runs; see README.md.

GO            ?= go
STATICCHECK   := honnef.co/go/tools/cmd/staticcheck@v0.8.2
FUZZTIME      ?= 60s
BENCHTIME     ?= 1s
BENCHCOUNT    ?= 1

.PHONY: test lint bench fuzz demo

test:
	$(GO) vet ./...
	$(GO) test -race ./...

lint:
	@test -z "$$(gofmt -l .)" || { echo "gofmt would change:"; gofmt -l .; exit 1; }
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

bench:
	$(GO) test -run='^$$' -bench=. -benchmem -benchtime=$(BENCHTIME) -count=$(BENCHCOUNT) ./...

# Each fuzz target runs for FUZZTIME (go test -fuzz takes one target at a time).
fuzz:
	$(GO) test -run='^$$' -fuzz='^FuzzDecodeResponse$$' -fuzztime=$(FUZZTIME) ./providers/onsip/
	$(GO) test -run='^$$' -fuzz='^FuzzDecodeResponse$$' -fuzztime=$(FUZZTIME) ./providers/ipcortex/

demo:
	$(GO) run ./cmd/demo
