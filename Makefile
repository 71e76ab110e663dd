# Gnomon's developer entry points. `make test` is what CI runs (through .ci/run).

GO          ?= go
STATICCHECK ?= $(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2
# A count, not a duration: Go 1.26's fuzz coordinator can fail a clean run
# with "context deadline exceeded" when a duration runs out (golang/go#75804,
# fixed in 1.27). One worker: with two workers on two cores the engine stalls
# at 0 execs/s on some targets.
FUZZTIME    ?= 50000x
FUZZPARALLEL ?= 1
BENCHTIME   ?= 1s
BENCHCOUNT  ?= 1

# Packages whose code runs on several goroutines at once (pipeline stages, and
# sdk, whose verifiers every sigverify worker calls concurrently). They run a
# second time under the race detector.
RACE_PKGS := ./sdk/... ./runtime/... ./poh/... ./turbine/... ./internal/... ./ledger/... ./tpu/... ./consensus/... ./validator/node/... ./rpc/...

# Every fuzz target, as package:Target.
FUZZ_TARGETS := \
	./sdk:FuzzParseTransaction \
	./sdk:FuzzVerifyAgreement \
	./sdk:FuzzShortU16 \
	./runtime:FuzzExecute \
	./runtime/programs/system:FuzzExecute \
	./runtime/programs/computebudget:FuzzParse \
	./runtime/programs/vote:FuzzTowerSync \
	./runtime/programs/vote:FuzzDecodeState \
	./runtime/programs/vote:FuzzDecodeInstruction \
	./runtime/programs/alt:FuzzDecodeTable \
	./runtime/programs/alt:FuzzDecodeInstruction \
	./runtime/programs/token:FuzzDecodeInstruction \
	./runtime/programs/token:FuzzExecute \
	./runtime/programs/ata:FuzzExecute \
	./runtime/programs/memo:FuzzMemo \
	./rpc:FuzzHandle \
	./rpc:FuzzPubsubHandle \
	./rpc/parsed:FuzzParseAccount \
	./rpc/parsed:FuzzParseInstruction \
	./poh:FuzzDecodeEntries \
	./internal/shred:FuzzParseShred \
	./turbine:FuzzDeshred \
	./genesis:FuzzDecode \
	./consensus:FuzzTower \
	./consensus:FuzzUnmarshalTower \
	./ledger:FuzzDecodeStatus \
	./ledger:FuzzDecodeStored

.PHONY: test vet lint fmt fuzz bench run

# A one-node dev cluster: dev genesis, faucet and ledger in ./dev-ledger,
# TPU (QUIC) on 127.0.0.1:8003. Stop with Ctrl-C. ARGS="--reset" starts over.
run:
	$(GO) run ./validator dev $(ARGS)

test: vet
	$(GO) test -count=1 ./...
	$(GO) test -count=1 -race $(RACE_PKGS)
	cd e2e && $(GO) test -count=1 ./...

vet:
	$(GO) vet ./...
	cd e2e && $(GO) vet ./...

lint: vet
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(STATICCHECK) ./...
	cd e2e && $(STATICCHECK) ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

# Each fuzz target for FUZZTIME (go test allows one target per run).
fuzz:
	@for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; \
		echo "fuzz $$name ($$pkg) for $(FUZZTIME)"; \
		$(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) -parallel $(FUZZPARALLEL) $$pkg || exit 1; \
	done

# Micro-benchmarks of every package, kept under bench/out for benchstat.
bench:
	mkdir -p bench/out
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) -count $(BENCHCOUNT) ./... | tee bench/out/micro.txt
